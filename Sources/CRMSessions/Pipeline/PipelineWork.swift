import CRMCore
import CRMStore
import Foundation

/// One event waiting for the next group commit.
enum PipelineWork: Sendable {
    case inbound(InboundWork)
    case sendOutcome(OutboxEntry, SendOutcome)
    case receipt(InstanceID, providerMessageID: String, status: DeliveryStatus, reason: String?)
    case timer(TimerRecord)
    case connection(InstanceID, ConnectionEvent)
    /// The outbox asks for a claim at the end of the batch.
    case claimSends

    /// Tells a waiting caller that its event will not commit.
    func reject(_ error: any Error) {
        guard case .inbound(let work) = self else { return }
        work.completion(.failure(error as? InboundRejection ?? .storageFailed(String(describing: error))))
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

/// Told, on the writer thread, how an inbound message ended: its stored row
/// once committed (the first row for a redelivery), or why nothing was stored.
/// It must only hand the result on, never wait.
public typealias InboundCompletion = @Sendable (Result<MessageRowID, InboundRejection>) -> Void

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
