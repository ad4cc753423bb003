import CRMCore
import CRMStore
import Foundation
import Synchronization

/// Hands queued sends to the owning instance's connector, at least once, with
/// the send's idempotency key: a retry never shows the recipient a second
/// message. Each instance has its own lane — in order, at its own rate — so a
/// slow or disconnected number delays no other.
///
/// Every way into a lane goes through the pipeline's group commit, so lanes
/// fill in commit order. A send the pipeline queues takes a place in its lane
/// right away when there is room and nothing of its instance waits in the
/// outbox before it (`reserve`): it gets no outbox row, only its message row
/// keeps it, and it is handed over once its transaction commits, with no claim
/// to wait for. Any other send waits in the outbox for a claim, which runs at
/// the end of a pipeline batch (`claim`): retries, operator sends, sends from
/// before a restart, and sends that found their lane full.
final class OutboxWorker: Sendable {
    private struct State {
        var lanes: [InstanceID: [OutboxEntry]] = [:]
        var inFlight = 0
        /// Claimed or reserved, and not yet reported, per instance.
        var inFlightByInstance: [InstanceID: Int] = [:]
        /// When each instance may send next, under its rate limit.
        var nextTurn: [InstanceID: ContinuousClock.Instant] = [:]
        /// Instances that may have sends waiting in the outbox; a new send of
        /// theirs waits there too, behind them, so that it leaves after them.
        var waiting: Set<InstanceID> = []
        /// When sends put back for a retry fall due, per instance: from then
        /// on the instance waits for the claim that takes them.
        var retriesDue: [InstanceID: Date] = [:]
        /// Until a claim has read every due send (after a start, or after a
        /// claim that filled up), any instance may have some waiting.
        var outboxUnread = true
        /// A claim is wanted even if nothing is known to wait: at every poll,
        /// for retries falling due.
        var claimWanted = true
        /// The pipeline has a claim queued and has not run it yet.
        var claimAsked = false
        var stopped = false

        /// Appends entries to their lanes; returns the instances whose lane was
        /// idle and needs a task to drain it.
        mutating func enqueue(_ entries: [OutboxEntry]) -> [InstanceID] {
            var idle: [InstanceID] = []
            for entry in entries {
                if lanes[entry.instanceID] == nil { idle.append(entry.instanceID); lanes[entry.instanceID] = [] }
                lanes[entry.instanceID]!.append(entry)
            }
            return idle
        }

        mutating func take(_ instance: InstanceID) {
            inFlight += 1
            inFlightByInstance[instance, default: 0] += 1
        }

        /// One send of `instance` is no longer in flight.
        mutating func finished(_ instance: InstanceID) {
            inFlight -= 1
            inFlightByInstance[instance, default: 1] -= 1
            if inFlightByInstance[instance] == 0 { inFlightByInstance[instance] = nil }
        }
    }
    private let state = Mutex(State())
    private let sendsDue = WakeSignal()
    private let configuration: PipelineConfiguration
    private let connectors: MessagePipeline.ConnectorLookup

    init(configuration: PipelineConfiguration, connectors: @escaping MessagePipeline.ConnectorLookup) {
        self.configuration = configuration
        self.connectors = connectors
    }

    func stop() {
        state.withLock { $0.stopped = true }
        sendsDue.signal()
    }

    /// Takes a place in `instance`'s lane for a send about to be queued, or
    /// refuses: the lane or the whole budget is full, or the instance has
    /// sends waiting in the outbox that must leave first. A refused send is
    /// left in the outbox, and its instance waits for a claim from then on.
    /// Called inside the pipeline's transaction.
    func reserve(_ instance: InstanceID, at now: Date, into places: LanePlaces) -> Bool {
        let taken = state.withLock { state in
            if let due = state.retriesDue[instance], due <= now { state.waiting.insert(instance) }
            guard !state.stopped, !state.outboxUnread, !state.waiting.contains(instance),
                  state.inFlight < configuration.maxSendsInFlight,
                  state.inFlightByInstance[instance, default: 0] < configuration.maxSendsInFlightPerInstance else {
                state.waiting.insert(instance)
                return false
            }
            state.take(instance)
            return true
        }
        if taken { places.add(instance) }
        return taken
    }

    /// Whether a pipeline batch should end with a claim.
    var claimDue: Bool {
        state.withLock { !$0.stopped && ($0.claimWanted || $0.outboxUnread || !$0.waiting.isEmpty) }
    }

    /// Claims due sends inside the pipeline's transaction, as many as the
    /// lanes have room for, and learns from what it read which instances
    /// still have sends waiting. Every other write to the outbox goes through
    /// the pipeline or says so (`reserve` refused, `noteWaiting`), so what it
    /// read stays true until then.
    func claim(in transaction: StoreTransaction, at now: Date, into places: LanePlaces) throws -> SendClaim? {
        let share = configuration.maxSendsInFlightPerInstance
        let (room, busy) = state.withLock { state in
            state.claimWanted = false
            state.claimAsked = false
            return (configuration.maxSendsInFlight - state.inFlight,
                    Set(state.inFlightByInstance.filter { $0.value >= share }.keys))
        }
        guard room > 0 else { return nil }
        let claim = try transaction.claimDueSends(now: now, limit: room, perInstance: share, skipping: busy)
        let instances = claim.instances
        state.withLock { state in
            instances.forEach { state.take($0) }
            if claim.readAll {
                state.outboxUnread = false
                state.waiting = claim.passedOver
                state.retriesDue = state.retriesDue.filter { $0.value > now || claim.passedOver.contains($0.key) }
            } else {
                state.outboxUnread = true
            }
        }
        places.add(contentsOf: instances)
        return claim
    }

    /// A pipeline transaction did not commit: the places it took are free
    /// again, what its claim learned is void, and a claim it carried is asked for again.
    func abandon(_ places: LanePlaces) {
        state.withLock { state in
            places.instances.forEach { state.finished($0) }
            state.outboxUnread = true
            state.claimAsked = false
        }
        sendsDue.signal()
    }

    /// Puts sends reserved or claimed by a committed transaction in their lanes.
    func handOver(_ entries: [OutboxEntry], pipeline: MessagePipeline) {
        guard !entries.isEmpty else { return }
        let idle = state.withLock { state in state.enqueue(entries) }
        for instance in idle {
            Task { [self] in await drainLane(instance, pipeline: pipeline) }
        }
    }

    /// A send of `instance` was put back in the outbox until `due`: sends
    /// queued after then wait behind it, as they would for any waiting send.
    func retryQueued(_ instance: InstanceID, due: Date) {
        state.withLock { state in
            state.retriesDue[instance] = min(state.retriesDue[instance] ?? due, due)
        }
    }

    /// A send of `instance` was handed over and its outcome reported: its
    /// place in the lane is free.
    func reported(_ instance: InstanceID) {
        state.withLock { $0.finished(instance) }
    }

    /// Asks for a claim: a send is waiting in the outbox (an operator's).
    func noteWaiting(_ instance: InstanceID) {
        state.withLock { state in
            state.waiting.insert(instance)
            state.claimWanted = true
        }
        sendsDue.signal()
    }

    /// Asks the pipeline for a claim when sends wait and lanes have room
    /// again, and at every poll, for retries falling due; until stopped.
    func run(pipeline: MessagePipeline) async {
        var lastPoll = ContinuousClock.now
        while !state.withLock({ $0.stopped }) {
            let now = ContinuousClock.now
            let polled = now - lastPoll >= configuration.pollInterval
            if polled { lastPoll = now }
            let ask = state.withLock { state -> Bool in
                if polled { state.claimWanted = true }
                guard !state.claimAsked, state.inFlight < configuration.maxSendsInFlight,
                      state.claimWanted || state.outboxUnread || !state.waiting.isEmpty else { return false }
                state.claimAsked = true
                return true
            }
            if ask { pipeline.submit(.claimSends) }
            await sendsDue.wait(timeout: configuration.pollInterval)
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
            let outcome = await send(entry)
            pipeline.submit(.sendOutcome(entry, outcome))
            reported(instance)
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

    private func send(_ entry: OutboxEntry) async -> SendOutcome {
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
        return .retry(reason: reason, retryAt: Date().addingTimeInterval(delay.seconds * jitter))
    }
}
