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
    var queuedSends = false
    var timersTaken: [Int64] = []
    var timersScheduled = false
}
