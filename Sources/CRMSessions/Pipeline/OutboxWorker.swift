import CRMCore
import CRMStore
import Foundation
import Synchronization

/// Hands queued sends to the owning instance's connector, at least once, with
/// the outbox row's idempotency key: a retry never shows the recipient a second
/// message. Each instance has its own lane — in order, at its own rate — so a
/// slow or disconnected number delays no other.
final class OutboxWorker: Sendable {
    private struct State {
        var lanes: [InstanceID: [OutboxEntry]] = [:]
        var inFlight = 0
        /// Claimed and not yet reported, per instance.
        var inFlightByInstance: [InstanceID: Int] = [:]
        /// When each instance may send next, under its rate limit.
        var nextTurn: [InstanceID: ContinuousClock.Instant] = [:]
        var stopped = false
    }
    private let state = Mutex(State())
    private let sendsDue = WakeSignal()
    private let store: CRMStore
    private let configuration: PipelineConfiguration
    private let connectors: MessagePipeline.ConnectorLookup

    init(store: CRMStore, configuration: PipelineConfiguration, connectors: @escaping MessagePipeline.ConnectorLookup) {
        self.store = store
        self.configuration = configuration
        self.connectors = connectors
    }

    func wake() { sendsDue.signal() }

    func stop() {
        state.withLock { $0.stopped = true }
        sendsDue.signal()
    }

    /// Claims due sends and feeds the lanes until stopped.
    func run(pipeline: MessagePipeline) async {
        while !state.withLock({ $0.stopped }) {
            let share = configuration.maxSendsInFlightPerInstance
            let (room, busy) = state.withLock { state in
                (configuration.maxSendsInFlight - state.inFlight,
                 Set(state.inFlightByInstance.filter { $0.value >= share }.keys))
            }
            let claimed = room > 0 ? ((try? await store.claimDueSends(limit: room, perInstance: share, skipping: busy)) ?? []) : []
            guard !claimed.isEmpty else {
                await sendsDue.wait(timeout: configuration.pollInterval)
                continue
            }
            let idle = state.withLock { state -> [InstanceID] in
                state.inFlight += claimed.count
                var idle: [InstanceID] = []
                for entry in claimed {
                    state.inFlightByInstance[entry.instanceID, default: 0] += 1
                    if state.lanes[entry.instanceID] == nil { idle.append(entry.instanceID); state.lanes[entry.instanceID] = [] }
                    state.lanes[entry.instanceID]!.append(entry)
                }
                return idle
            }
            for instance in idle {
                Task { [self] in await drainLane(instance, pipeline: pipeline) }
            }
        }
    }

    /// Sends one instance's claimed entries in order, paced by its rate limit.
    private func drainLane(_ instance: InstanceID, pipeline: MessagePipeline) async {
        while let entry = state.withLock({ state -> OutboxEntry? in
            guard !state.stopped, var lane = state.lanes[instance], !lane.isEmpty else {
                state.lanes[instance] = nil
                return nil
            }
            let entry = lane.removeFirst()
            state.lanes[instance] = lane
            return entry
        }) {
            await waitForTurn(of: instance)
            let outcome = await handOver(entry)
            pipeline.submit(.sendOutcome(entry, outcome))
            state.withLock { state in
                state.inFlight -= 1
                state.inFlightByInstance[instance, default: 1] -= 1
                if state.inFlightByInstance[instance] == 0 { state.inFlightByInstance[instance] = nil }
            }
        }
        sendsDue.signal()
    }

    /// Spaces one instance's sends to its rate limit. The schedule is kept per
    /// instance, not per lane run, so sends that trickle in one at a time
    /// (each starting a new run) are paced too.
    private func waitForTurn(of instance: InstanceID) async {
        guard let perSecond = configuration.sendsPerSecond, perSecond > 0 else { return }
        let interval = Duration.nanoseconds(Int64(1e9 / perSecond))
        let now = ContinuousClock.now
        let turn = state.withLock { state -> ContinuousClock.Instant in
            let turn = max(state.nextTurn[instance] ?? now, now)
            state.nextTurn[instance] = turn + interval
            return turn
        }
        if turn > now { try? await Task.sleep(until: turn, clock: .continuous) }
    }

    private func handOver(_ entry: OutboxEntry) async -> SendOutcome {
        guard let connector = await connectors(entry.instanceID) else {
            return retryOrFail(entry, reason: "instance \(entry.instanceID) is not connected")
        }
        do {
            return .sent(providerMessageID: try await connector.send(entry.message))
        } catch {
            return error.retryable ? retryOrFail(entry, reason: error.reason) : .failed(reason: error.reason)
        }
    }

    private func retryOrFail(_ entry: OutboxEntry, reason: String) -> SendOutcome {
        let attempt = entry.attempts + 1
        guard attempt < configuration.maxSendAttempts else {
            return .failed(reason: "\(reason) (gave up after \(attempt) attempts)")
        }
        let delay = min(configuration.retryDelay * (1 << min(attempt - 1, 20)), configuration.maxRetryDelay)
        let jitter = Double.random(in: 0.8...1.2)
        let seconds = Double(delay.components.seconds) + Double(delay.components.attoseconds) / 1e18
        return .retry(reason: reason, retryAt: Date().addingTimeInterval(seconds * jitter))
    }
}
