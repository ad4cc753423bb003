import CRMCore
import CRMStore
import Foundation

/// One event waiting for the next group commit.
indirect enum PipelineWork: Sendable {
    case inbound(InboundWork)
    case sendOutcome(OutboxEntry, SendOutcome)
    case receipt(ReceiptWork)
    case timer(TimerRecord)
    case connection(InstanceID, ConnectionEvent)
    /// The outbox asks for a claim at the end of the batch.
    case claimSends
    /// Work whose transaction failed, handed in again (`attempt` counts from 1).
    case again(PipelineWork, attempt: Int)

    /// The work itself, and how many times its transaction failed before.
    var unwrapped: (work: PipelineWork, failures: Int) {
        if case .again(let work, let attempt) = self { return (work, attempt) }
        return (self, 0)
    }

    /// Whether a caller waits for this work's commit and can be told to hand
    /// it in again: such work is refused when the queue is full, and refused
    /// when its transaction fails. Other work is the pipeline's own or its
    /// connectors' (outcomes of sends made, receipts, timers, connection
    /// changes): bounded by what the host itself started, and put back until
    /// it commits, never refused.
    var hasWaitingSource: Bool {
        switch self {
        case .inbound: return true
        case .receipt(let receipt): return receipt.completion != nil
        case .again(let work, _): return work.hasWaitingSource
        case .sendOutcome, .timer, .connection, .claimSends: return false
        }
    }

    /// Tells a waiting caller that its event will not commit.
    func reject(_ rejection: InboundRejection) {
        switch self {
        case .inbound(let work): work.completion(.failure(rejection))
        case .receipt(let work): work.completion?(rejection)
        case .again(let work, _): work.reject(rejection)
        case .sendOutcome, .timer, .connection, .claimSends: break
        }
    }

    /// What the log says the work is.
    var summary: String {
        switch self {
        case .inbound(let work): return "message \(work.message.whatsappID) to instance \(work.message.instanceID)"
        case .sendOutcome(let entry, _): return "outcome of send \(entry.message.idempotencyKey) of instance \(entry.instanceID)"
        case .receipt(let work): return "receipt for \(work.providerMessageID) of instance \(work.instance)"
        case .timer(let timer): return "timer \(timer.id)"
        case .connection(let instance, _): return "connection change of instance \(instance)"
        case .claimSends: return "claim of due sends"
        case .again(let work, _): return work.summary
        }
    }
}

/// An inbound message and who waits for it, in one box: the writer copies
/// each event of a batch several times over, and a message's many strings
/// made each copy a dozen reference counts (5 % of the writer's time).
final class InboundWork: Sendable {
    let message: InboundMessage
    let completion: InboundCompletion

    init(_ message: InboundMessage, _ completion: @escaping InboundCompletion) {
        self.message = message
        self.completion = completion
    }
}

/// A delivery receipt for one of our sends, and who waits for its commit, if anyone.
final class ReceiptWork: Sendable {
    let instance: InstanceID
    let providerMessageID: String
    let status: DeliveryStatus
    let reason: String?
    let completion: ReceiptCompletion?

    init(_ instance: InstanceID, providerMessageID: String, status: DeliveryStatus, reason: String?,
         completion: ReceiptCompletion?) {
        self.instance = instance
        self.providerMessageID = providerMessageID
        self.status = status
        self.reason = reason
        self.completion = completion
    }
}

/// Told, on the writer thread, how an inbound message ended: its stored row
/// once committed (the first row for a redelivery), or why nothing was stored.
/// It must only hand the result on, never wait.
public typealias InboundCompletion = @Sendable (Result<MessageRowID, InboundRejection>) -> Void

/// Told how a receipt ended: nil once it is committed, or why it was not
/// (the source should deliver it again). Like `InboundCompletion`, it must never wait.
public typealias ReceiptCompletion = @Sendable (InboundRejection?) -> Void

/// What one committed batch owes its callers and the loops around it.
struct BatchResult: Sendable {
    var acknowledgements: [MessageRowID?] = []
    var rejections: [Int: InboundRejection] = [:]
    var changes: [PipelineChange] = []
    var timersTaken: [Int64] = []
    var timersScheduled = false
    /// Sends stored already claimed, for their lanes, in the order queued.
    var handedOver: [OutboxEntry] = []
    /// What the claim at the end of the batch took, if one ran.
    var claim: SendClaim?
}
