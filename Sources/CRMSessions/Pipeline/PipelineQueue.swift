import CRMCore
import Foundation
import Synchronization

/// Work waiting for the committer, one FIFO per instance. Batches are taken
/// round-robin across instances, at most `share` events of one instance per
/// batch, so one busy instance never crowds out the others; each instance's
/// events keep their order.
final class PipelineQueue: Sendable {
    private struct State {
        var lanes: [InstanceID: [PipelineWork]] = [:]
        /// Instances with work, in the order they will be served.
        var ready: [InstanceID] = []
        var count = 0
        var closed = false
    }

    private let state = Mutex(State())
    private let wakeups: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation

    init() {
        (wakeups, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Adds work; false when the pipeline is shut down.
    @discardableResult
    func submit(_ work: PipelineWork) -> Bool {
        let accepted = state.withLock { state -> Bool in
            if state.closed { return false }
            let instance = work.instanceID
            if state.lanes[instance, default: []].isEmpty { state.ready.append(instance) }
            state.lanes[instance, default: []].append(work)
            state.count += 1
            return true
        }
        if accepted { wake.yield() }
        return accepted
    }

    /// Takes the next batch, empty when nothing waits: rounds over the
    /// instances with work, up to `share` events of each per round. Instances
    /// a full batch did not reach are served first next time.
    func takeBatch(maximum: Int, share: Int) -> [PipelineWork] {
        state.withLock { state in
            var batch: [PipelineWork] = []
            while batch.count < maximum, !state.ready.isEmpty {
                var leftovers: [InstanceID] = []
                var index = 0
                while index < state.ready.count, batch.count < maximum {
                    let instance = state.ready[index]
                    index += 1
                    guard var lane = state.lanes.removeValue(forKey: instance) else { continue }
                    let taken = min(share, maximum - batch.count, lane.count)
                    batch.append(contentsOf: lane.prefix(taken))
                    lane.removeFirst(taken)
                    if !lane.isEmpty {
                        state.lanes[instance] = lane
                        leftovers.append(instance)
                    }
                }
                state.ready = Array(state.ready[index...]) + leftovers
            }
            state.count -= batch.count
            return batch
        }
    }

    /// Wake-ups after each submit; the committer is its only reader.
    var arrivals: AsyncStream<Void> { wakeups }

    var isEmpty: Bool { state.withLock { $0.count == 0 } }

    /// Refuses new work; what is queued is still taken.
    /// Refuses new work and returns what was queued, untaken (a crash in tests).
    func drop() -> [PipelineWork] {
        let dropped = state.withLock { state -> [PipelineWork] in
            state.closed = true
            defer { state.lanes = [:]; state.ready = []; state.count = 0 }
            return state.ready.flatMap { state.lanes[$0] ?? [] }
        }
        wake.finish()
        return dropped
    }

    func close() {
        state.withLock { state in state.closed = true }
        wake.finish()
    }
}
