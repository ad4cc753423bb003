import CRMCore
import CRMStore
import Foundation
import Logging
import Synchronization

/// The message flow of SPEC §5: inbound → dedupe → store → scripts → their
/// actions committed with the event in one transaction → outbox → the owning
/// instance's connector → receipts back to the scripts as `status` events.
///
/// One writer loop drains everything queued (across instances) into one
/// transaction — group commit — and acknowledges each caller only after it
/// commits. Events are processed in the order they were handed in, so one
/// instance's events stay in order.
///
/// Every event either commits or is accounted for: when its transaction
/// fails, a caller waiting for it is refused (it delivers again), and work
/// nobody waits for (a send's outcome, a receipt, a timer) is handed in
/// again until it commits; both are logged and counted (`statistics`). The
/// queue is bounded (`PipelineConfiguration.maxQueuedEvents`).
public final class MessagePipeline: Sendable {
    /// Finds the connector of an instance, nil while it has none running.
    public typealias ConnectorLookup = @Sendable (InstanceID) async -> (any Connector)?

    let store: CRMStore
    let scripts: any ScriptHost
    let configuration: PipelineConfiguration
    let connectors: ConnectorLookup
    let onCommitted: @Sendable ([PipelineChange]) -> Void
    let logger: Logger

    private struct State {
        var queue: [PipelineWork] = []
        /// How much of `queue` has a caller waiting (what `maxQueuedEvents` bounds).
        var awaited = 0
        var stopped = false
        var tasks: [Task<Void, Never>] = []
        /// The writer found nothing to do and sleeps until signalled.
        var writerIdle = false
        var writer = WriterLife.notStarted
    }
    private enum WriterLife {
        case notStarted, running, exited
        case awaited(CheckedContinuation<Void, Never>)
    }
    private let state = Mutex(State())
    private let workArrived = DispatchSemaphore(value: 0)
    /// The writer thread's CPU time, in nanoseconds, as of its last commit.
    private let writerCPUNanoseconds = Atomic<Int64>(0)
    private let writerCommits = Atomic<Int>(0)
    let counters = PipelineCounters()
    let outbox: OutboxWorker
    let timers: TimerScheduler

    /// - Parameters:
    ///   - store: where everything is committed.
    ///   - scripts: runs an instance's scripts on one event.
    ///   - connectors: the owning instance's connector for each send.
    ///   - onCommitted: called after each commit with what changed, for live updates.
    ///   - logger: where failed transactions and refused or retried work are told.
    public init(store: CRMStore, scripts: any ScriptHost, configuration: PipelineConfiguration = PipelineConfiguration(),
                connectors: @escaping ConnectorLookup,
                onCommitted: @escaping @Sendable ([PipelineChange]) -> Void = { _ in },
                logger: Logger = Logger(label: "crm-host.pipeline")) {
        self.logger = logger
        self.store = store
        self.scripts = scripts
        self.configuration = configuration
        self.connectors = connectors
        self.onCommitted = onCommitted
        outbox = OutboxWorker(configuration: configuration, connectors: connectors)
        timers = TimerScheduler(store: store, pollInterval: configuration.pollInterval)
    }

    /// Starts the writer, the outbox and the timers. Sends claimed by a previous
    /// run and never confirmed are queued again first.
    ///
    /// The writer is a thread of its own, not a task: SQLite has one writer
    /// anyway, and a task would wait for a thread of the cooperative pool
    /// between every two batches, behind the callers its commit just woke,
    /// while the database sat idle.
    public func start() throws {
        try store.releaseClaimedSends()
        state.withLock { $0.writer = .running }
        NamedThread.start("pipeline-writer") { [self] in writeLoop() }
        let sender = Task { [self] in await outbox.run(pipeline: self) }
        let clock = Task { [self] in await timers.run(pipeline: self) }
        state.withLock { $0.tasks = [sender, clock] }
    }

    /// Stops taking events; callers still waiting get `InboundRejection.stopped`
    /// and nothing of theirs is acknowledged. Returns once the batch being
    /// written, if any, has committed and been acknowledged.
    public func stop() async {
        let (tasks, abandoned, wake) = state.withLock { state in
            state.stopped = true
            defer { state.queue = []; state.awaited = 0; state.tasks = []; state.writerIdle = false }
            return (state.tasks, state.queue, state.writerIdle)
        }
        abandoned.forEach(refuse(stopped:))
        outbox.stop()
        timers.stop()
        if wake { workArrived.signal() }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let running = state.withLock { state -> Bool in
                guard case .running = state.writer else { return false }
                state.writer = .awaited(continuation)
                return true
            }
            if !running { continuation.resume() }
        }
        for task in tasks { await task.value }
    }

    /// The CPU time the writer thread has used, as of its last commit. The
    /// writer is the pipeline's one serial stage, so its CPU per message is
    /// what bounds the pipeline's rate and tells changes to it apart far
    /// better than latency on a shared machine.
    public var writerCPUTime: Duration { .nanoseconds(writerCPUNanoseconds.load(ordering: .relaxed)) }

    /// How many batches the writer has committed: with `writerCPUTime`, what
    /// a batch costs beside what its events cost.
    public var writerBatches: Int { writerCommits.load(ordering: .relaxed) }

    /// Failed transactions and what became of their work, and refusals of a full queue.
    public var statistics: PipelineStatistics { counters.snapshot }

    /// Takes one inbound message and returns its stored row id once it is
    /// committed with its scripts' effects; a redelivery returns the first row.
    /// - Throws: `InboundRejection`, with nothing stored.
    @discardableResult
    public func inbound(_ message: InboundMessage) async throws(InboundRejection) -> MessageRowID {
        let result = await withCheckedContinuation { continuation in
            inbound(message) { continuation.resume(returning: $0) }
        }
        return try result.get()
    }

    /// Takes one inbound message and tells `completion` how it ended, without
    /// a task: what a caller on an event loop uses, so that a message costs no
    /// hop through the concurrency pool on its way in or back. A message
    /// refused before it is queued is told at once, on the calling thread.
    public func inbound(_ message: InboundMessage, completion: @escaping InboundCompletion) {
        do throws(InboundRejection) {
            try validate(message)
        } catch {
            return completion(.failure(error))
        }
        submit(.inbound(InboundWork(message, completion)))
    }

    /// A receipt for one of our sends, from a connector that cannot deliver
    /// it again; the scripts get it as a `status` event. It is taken even when
    /// the queue is full, and handed in again until it commits.
    public func receipt(_ instance: InstanceID, providerMessageID: String, status: DeliveryStatus, reason: String?) {
        submit(.receipt(ReceiptWork(instance, providerMessageID: providerMessageID, status: status, reason: reason,
                                    completion: nil)))
    }

    /// A receipt from a source that delivers it again when refused (a
    /// webhook): `completion` is told once it is committed, or why not
    /// (`overloaded` at once when the queue is full, `storageFailed`, `stopped`).
    public func receipt(_ instance: InstanceID, providerMessageID: String, status: DeliveryStatus, reason: String?,
                        completion: @escaping ReceiptCompletion) {
        submit(.receipt(ReceiptWork(instance, providerMessageID: providerMessageID, status: status, reason: reason,
                                    completion: completion)))
    }

    /// A session's connection change, for the instance's `connection` handlers.
    public func connectionChanged(_ instance: InstanceID, _ event: ConnectionEvent) {
        submit(.connection(instance, event))
    }

    /// An operator's send (`POST /api/conversations/:id/messages`) through the
    /// instance that owns the conversation; another company's is not found.
    public func send(_ content: OutgoingContent, to conversation: ConversationID, company: Int64) throws -> MessageRecord {
        let message = try store.queueOperatorSend(content, to: conversation, company: company)
        onCommitted([.messageStored(message, companyID: company)])
        outbox.noteWaiting(message.instanceID)
        return message
    }

    func submit(_ work: PipelineWork) {
        let (refusal, wake) = state.withLock { state -> (InboundRejection?, Bool) in
            guard !state.stopped else { return (.stopped, false) }
            if work.hasWaitingSource {
                guard state.awaited < configuration.maxQueuedEvents else {
                    return (.overloaded(limit: configuration.maxQueuedEvents), false)
                }
                state.awaited += 1
            }
            state.queue.append(work)
            defer { state.writerIdle = false }
            return (nil, state.writerIdle)
        }
        if wake { workArrived.signal() }
        guard let refusal else { return }
        if case .overloaded = refusal {
            counters.refusedWhenFull.add(1, ordering: .relaxed)
            work.reject(refusal)
        } else {
            refuse(stopped: work)
        }
    }

    /// Work the pipeline stopped before committing: its caller is told; work
    /// nobody waits for is noted, as what a restart finds again (a send's
    /// outcome lost this way means that send is made again, with its key).
    private func refuse(stopped work: PipelineWork) {
        if work.hasWaitingSource { return work.reject(.stopped) }
        if case .claimSends = work.unwrapped.work { return }
        logger.warning("the pipeline stopped before committing this", metadata: ["work": .string(work.summary)])
    }

    private func validate(_ message: InboundMessage) throws(InboundRejection) {
        guard !message.whatsappID.isEmpty else { throw .missingWhatsAppID(message.instanceID) }
        let bytes = message.text.utf8.count
        guard bytes <= configuration.maxTextBytes else {
            throw .textTooLong(whatsappID: message.whatsappID, bytes: bytes, limit: configuration.maxTextBytes)
        }
        guard message.group != nil || message.contact.contactID != nil else {
            throw .missingContact(whatsappID: message.whatsappID)
        }
    }

    /// The writer thread: takes what is queued, up to a batch, and commits it;
    /// sleeps while nothing is.
    private func writeLoop() {
        while true {
            let (batch, stopped) = state.withLock { state -> ([PipelineWork], Bool) in
                if state.queue.isEmpty { state.writerIdle = true }
                guard state.queue.count > configuration.maxBatch else {
                    // All of it, the usual case: the array moves instead of being copied.
                    defer { state.queue = []; state.awaited = 0 }
                    return (state.queue, state.stopped)
                }
                let batch = Array(state.queue.prefix(configuration.maxBatch))
                state.queue.removeFirst(configuration.maxBatch)
                state.awaited -= batch.count(where: \.hasWaitingSource)
                return (batch, state.stopped)
            }
            if stopped { break }
            if batch.isEmpty { workArrived.wait(); continue }
            commit(batch)
            writerCPUNanoseconds.store(Self.threadCPUNanoseconds(), ordering: .relaxed)
            writerCommits.add(1, ordering: .relaxed)
        }
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            defer { state.writer = .exited }
            if case .awaited(let continuation) = state.writer { return continuation }
            return nil
        }
        waiter?.resume()
    }

    private static func threadCPUNanoseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
        return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
    }
}
