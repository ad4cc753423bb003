import CRMCore
import CRMStore
import Foundation

/// One event waiting for the next group commit.
enum PipelineWork: Sendable {
    case inbound(InboundMessage, CheckedContinuation<MessageRowID, any Error>)
    case sendOutcome(OutboxEntry, SendOutcome)
    case receipt(InstanceID, providerMessageID: String, status: DeliveryStatus, reason: String?)
    case timer(TimerRecord)
    case connection(InstanceID, ConnectionEvent)
    /// The outbox asks for a claim at the end of the batch.
    case claimSends

    /// Tells a waiting caller that its event will not commit.
    func reject(_ error: any Error) {
        if case .inbound(_, let continuation) = self { continuation.resume(throwing: error) }
    }
}

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
