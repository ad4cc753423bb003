import CRMCore
import CRMStore
import Foundation
import Synchronization

/// The message flow of SPEC §5: connector events in, stored and deduplicated,
/// the instance's scripts run, their actions committed with the event in one
/// transaction, replies out through the outbox to the owning instance's
/// connector, receipts back to the scripts as status events.
///
/// One committer writes: it takes the queued work of all instances as one
/// batch (group commit), round-robin so no instance takes more than its share,
/// and acknowledges each caller only after its batch committed. An instance's
/// events keep their order. Timers and outbox rows left by a restart are
/// found by a periodic scan.
public final class MessagePipeline: ConnectorSink, Sendable {
    private let store: Store
    private let configuration: PipelineConfiguration
    private let queue = PipelineQueue()
    private let committer: BatchCommitter
    private let outbox: OutboxWorker
    private let timersInFlight = Mutex(Set<Int64>())
    private let tasks = Mutex([Task<Void, Never>]())

    /// - Parameters:
    ///   - store: the database.
    ///   - scripts: runs an instance's scripts on an event (the Lua engine, or a fixture host).
    ///   - connectors: finds the connector of the instance that owns a send.
    ///   - configuration: batch sizes, send rate limit, retries.
    ///   - onHandedOver: told each time a connector accepted a send (benchmarks, metrics).
    public init(store: Store, scripts: any ScriptHost, connectors: any ConnectorDirectory,
                configuration: PipelineConfiguration = PipelineConfiguration(),
                onHandedOver: @escaping @Sendable (OutgoingMessage) -> Void = { _ in }) {
        self.store = store
        self.configuration = configuration
        let retry = RetryPolicy(maximumAttempts: configuration.maximumSendAttempts,
                                firstDelay: configuration.firstRetryDelay, maximumDelay: configuration.maximumRetryDelay)
        committer = BatchCommitter(scripts: scripts, retry: retry)
        outbox = OutboxWorker(connectors: connectors, queue: queue,
                              limiter: SendRateLimiter(perSecond: configuration.sendsPerSecond), retry: retry,
                              onHandedOver: onHandedOver)
    }

    /// Starts the committer and the scan of due sends and timers. Sends left
    /// unconfirmed by a previous run are tried again right away.
    public func start() {
        let commitLoop = Task { await self.runCommitter() }
        let scanLoop = Task { await self.runScans() }
        tasks.withLock { $0 += [commitLoop, scanLoop] }
    }

    /// Stops taking work, commits what is queued, and stops. Sends in flight
    /// that did not confirm stay in the outbox for the next start.
    public func shutdown() async {
        queue.close()
        let running = tasks.withLock { tasks in defer { tasks = [] }; return tasks }
        for task in running.dropFirst() { task.cancel() }
        for task in running { await task.value }
    }

    /// Stops dead, as a killed process would: queued work is dropped
    /// unacknowledged, sends in flight are not reported, nothing more is
    /// written after the batch being committed. For crash tests.
    func abandon() async {
        outbox.halt()
        for work in queue.drop() {
            switch work {
            case .inbound(_, let acknowledgement): acknowledgement.resume(throwing: PipelineError.shutDown)
            case .apiSend(_, _, _, let acknowledgement): acknowledgement.resume(throwing: PipelineError.shutDown)
            default: break
            }
        }
        let running = tasks.withLock { tasks in defer { tasks = [] }; return tasks }
        for task in running { task.cancel() }
        for task in running { await task.value }
    }

    // MARK: ConnectorSink

    /// Stores an inbound message and runs its instance's scripts; returns once
    /// both are committed. A redelivered message returns at once, untouched.
    /// - Throws: `InboundRejection` when nothing was stored (unknown or
    ///   disconnected instance, malformed message); `PipelineError.shutDown`.
    public func inbound(_ message: InboundMessage) async throws {
        try message.validate()
        try await withCheckedThrowingContinuation { (acknowledgement: Acknowledgement) in
            if !queue.submit(.inbound(message, acknowledgement)) { acknowledgement.resume(throwing: PipelineError.shutDown) }
        }
    }

    /// A delivery receipt for one of our sends: updates its status and runs the
    /// instance's `status` handlers.
    public func receipt(_ instance: InstanceID, providerMessageID: String, status: DeliveryStatus, reason: String?) async {
        queue.submit(.receipt(instance, providerMessageID: providerMessageID, status: status, reason: reason))
    }

    /// Runs the instance's `connection` handlers. Persisting the status is the
    /// session's job; this only tells the scripts.
    public func connectionChanged(_ instance: InstanceID, _ event: ConnectionEvent) async {
        queue.submit(.connection(instance, event))
    }

    // MARK: Sends from the API

    /// Sends into a conversation of the company (`POST /api/conversations/:id/messages`).
    /// The sending instance is the conversation's own, read from storage: the
    /// caller has no say (SPEC §2.3).
    /// - Returns: the outbox row, once committed; the message is `queued`.
    /// - Throws: `StoreError.notFound` for another company's conversation,
    ///   `ActionRefusal` for an empty or oversized message.
    public func send(conversationID: ConversationID, companyID: Int64, content: OutgoingContent) async throws -> OutboxRecord {
        let conversation = try store.conversation(id: conversationID, companyID: companyID).conversation
        return try await withCheckedThrowingContinuation { (acknowledgement: SendAcknowledgement) in
            let work = PipelineWork.apiSend(conversation: conversation.id, instanceID: conversation.instanceID, content,
                                            acknowledgement)
            if !queue.submit(work) { acknowledgement.resume(throwing: PipelineError.shutDown) }
        }
    }

    // MARK: Loops

    private func runCommitter() async {
        for await _ in queue.arrivals {
            await commitQueued()
        }
        await commitQueued()
    }

    private func commitQueued() async {
        while true {
            let batch = queue.takeBatch(maximum: configuration.maximumBatch, share: configuration.maximumBatchShare)
            if batch.isEmpty { return }
            await commit(batch)
        }
    }

    private func commit(_ batch: [PipelineWork]) async {
        let committer = self.committer
        do {
            let outcome = try await store.transaction { transaction in
                try committer.process(batch, in: transaction, now: Date())
            }
            for (acknowledgement, result) in outcome.acknowledgements { acknowledgement.resume(with: result) }
            for (acknowledgement, result) in outcome.sendAcknowledgements { acknowledgement.resume(with: result) }
            outbox.settle(outcome.settledSends)
            if !outcome.settledTimers.isEmpty {
                timersInFlight.withLock { $0.subtract(outcome.settledTimers) }
            }
            outbox.hand(outcome.newSends)
        } catch {
            fail(batch, error)
        }
    }

    /// The transaction rolled back: its callers learn why; the rest (receipts,
    /// send results, timers) is found again by the scans.
    private func fail(_ batch: [PipelineWork], _ error: any Error) {
        var sends: [Int64] = []
        var timers: [Int64] = []
        for work in batch {
            switch work {
            case .inbound(_, let acknowledgement): acknowledgement.resume(throwing: error)
            case .apiSend(_, _, _, let acknowledgement): acknowledgement.resume(throwing: error)
            case .sendAccepted(let id, _, _), .sendFailed(let id, _, _, _): sends.append(id)
            case .timer(let id, _): timers.append(id)
            case .receipt, .connection: break
            }
        }
        outbox.settle(sends)
        timersInFlight.withLock { $0.subtract(timers) }
    }

    private func runScans() async {
        while !Task.isCancelled {
            scanTimers()
            outbox.scan(store, now: Date())
            try? await Task.sleep(for: .seconds(configuration.scanInterval))
        }
    }

    private func scanTimers() {
        let inFlight = timersInFlight.withLock { $0 }
        guard let due = try? store.dueTimers(now: Date(), excluding: inFlight), !due.isEmpty else { return }
        timersInFlight.withLock { $0.formUnion(due.map(\.id)) }
        for timer in due { queue.submit(.timer(id: timer.id, timer.instanceID)) }
    }
}

/// Why the pipeline did not take an event.
public enum PipelineError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The host is shutting down: deliver the event again after the restart.
    case shutDown

    public var description: String { "the pipeline is shutting down; deliver the event again later" }
}
