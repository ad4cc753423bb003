import CRMStore
import Foundation
import Synchronization

/// Turns due `crm.after` timers into `timer` events. A timer row is deleted in
/// the same transaction as its event's actions, so it fires exactly once, also
/// across restarts; ids in flight are not handed in twice meanwhile.
final class TimerScheduler: Sendable {
    private struct State {
        var inFlight: Set<Int64> = []
        var stopped = false
    }
    private let state = Mutex(State())
    private let changed = WakeSignal()
    private let store: CRMStore
    private let pollInterval: Duration

    init(store: CRMStore, pollInterval: Duration) {
        self.store = store
        self.pollInterval = pollInterval
    }

    func stop() {
        state.withLock { $0.stopped = true }
        changed.signal()
    }

    /// Called after a commit: these timers are settled; new ones may be due soon.
    func finished(_ ids: [Int64], scheduledMore: Bool) {
        guard !ids.isEmpty || scheduledMore else { return }
        state.withLock { state in ids.forEach { state.inFlight.remove($0) } }
        if scheduledMore { changed.signal() }
    }

    func run(pipeline: MessagePipeline) async {
        while !state.withLock({ $0.stopped }) {
            let due = (try? store.dueTimers()) ?? []
            let fresh = state.withLock { state in due.filter { state.inFlight.insert($0.id).inserted } }
            fresh.forEach { pipeline.submit(.timer($0)) }
            let wait = ((try? store.nextTimerDue()) ?? nil).map { next -> Duration in
                let seconds = max(next.timeIntervalSinceNow, 0.005)
                return min(.milliseconds(Int64(seconds * 1000)), pollInterval)
            } ?? pollInterval
            await changed.wait(timeout: wait)
        }
    }
}
