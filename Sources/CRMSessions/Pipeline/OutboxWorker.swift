import CRMCore
import CRMStore
import Foundation
import Synchronization

/// Hands outbox rows to the owning instance's connector, at least once, with
/// the row's idempotency key. One lane per instance keeps an instance's sends
/// in order and lets a slow connector delay only its own instance. Results go
/// back to the pipeline queue as work: a row leaves "in flight" only once its
/// result has committed.
final class OutboxWorker: Sendable {
    private struct State {
        var lanes: [InstanceID: [OutboxRecord]] = [:]
        var running: Set<InstanceID> = []
        var inFlight: Set<Int64> = []
        /// Rows settled while a scan read the outbox: the scan's copy of them is stale.
        var settledDuringScan: Set<Int64>? = nil
        /// Set by `halt`: nothing more is sent or reported.
        var halted = false
    }

    private let state = Mutex(State())
    private let connectors: any ConnectorDirectory
    private let queue: PipelineQueue
    private let limiter: SendRateLimiter
    private let retry: RetryPolicy
    /// Told the moment a send was handed to its connector (benchmarks, metrics).
    private let onHandedOver: @Sendable (OutgoingMessage) -> Void

    init(connectors: any ConnectorDirectory, queue: PipelineQueue, limiter: SendRateLimiter, retry: RetryPolicy,
         onHandedOver: @escaping @Sendable (OutgoingMessage) -> Void) {
        self.connectors = connectors; self.queue = queue; self.limiter = limiter; self.retry = retry
        self.onHandedOver = onHandedOver
    }

    /// Takes sends to deliver; rows already in flight are ignored.
    func hand(_ sends: [OutboxRecord]) {
        let toStart = state.withLock { state -> [InstanceID] in
            var toStart: [InstanceID] = []
            if state.halted { return [] }
            for send in sends where !state.inFlight.contains(send.id) && state.settledDuringScan?.contains(send.id) != true {
                state.inFlight.insert(send.id)
                state.lanes[send.instanceID, default: []].append(send)
                if state.running.insert(send.instanceID).inserted { toStart.append(send.instanceID) }
            }
            return toStart
        }
        for instance in toStart {
            Task { await self.runLane(instance) }
        }
    }

    /// Rows whose result has committed: they may be picked up again by a scan.
    func settle(_ ids: [Int64]) {
        guard !ids.isEmpty else { return }
        state.withLock { state in
            for id in ids {
                state.inFlight.remove(id)
                state.settledDuringScan?.insert(id)
            }
        }
    }

    /// Reads due rows from the outbox (retries, rows left by a restart) and
    /// takes those not in flight.
    func scan(_ store: Store, now: Date) {
        let inFlight = state.withLock { state -> Set<Int64> in
            state.settledDuringScan = []
            return state.inFlight
        }
        let due = (try? store.dueSends(now: now, excluding: inFlight)) ?? []
        hand(due)
        state.withLock { state in state.settledDuringScan = nil }
    }

    private func runLane(_ instance: InstanceID) async {
        while let send = nextSend(of: instance) {
            let wait = limiter.reserve(for: instance)
            if wait > .zero { try? await Task.sleep(for: wait) }
            if isHalted { return }
            let result = await deliver(send)
            if isHalted { return }
            queue.submit(result)
        }
    }

    /// Stops sending and reporting at once, as a crashed process would.
    func halt() {
        state.withLock { state in state.halted = true }
    }

    private var isHalted: Bool { state.withLock { $0.halted } }

    private func nextSend(of instance: InstanceID) -> OutboxRecord? {
        state.withLock { state in
            guard !state.halted, var lane = state.lanes[instance], !lane.isEmpty else {
                state.lanes[instance] = nil
                state.running.remove(instance)
                return nil
            }
            let send = lane.removeFirst()
            state.lanes[instance] = lane
            return send
        }
    }

    private func deliver(_ send: OutboxRecord) async -> PipelineWork {
        guard let connector = await connectors.connector(for: send.instanceID) else {
            return failure(send, SendFailure(reason: "instance \(send.instanceID) has no open session", retryable: true))
        }
        let message = send.outgoing
        do {
            let providerID = try await connector.send(message)
            onHandedOver(message)
            return .sendAccepted(outboxID: send.id, send.instanceID, providerMessageID: providerID)
        } catch {
            return failure(send, error)
        }
    }

    private func failure(_ send: OutboxRecord, _ failure: SendFailure) -> PipelineWork {
        let retryAt = failure.retryable ? retry.nextAttempt(afterFailedAttempts: send.attempts + 1, now: Date()) : nil
        let reason = retryAt == nil && failure.retryable
            ? "\(failure.reason) (gave up after \(send.attempts + 1) attempts)" : failure.reason
        return .sendFailed(outboxID: send.id, send.instanceID, reason: reason, retryAt: retryAt)
    }
}
