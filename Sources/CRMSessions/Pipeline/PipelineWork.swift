import CRMCore
import CRMStore
import Foundation

/// One unit of work for the committer, with whoever waits for its commit.
enum PipelineWork: Sendable {
    case inbound(InboundMessage, Acknowledgement)
    case receipt(InstanceID, providerMessageID: String, status: DeliveryStatus, reason: String?)
    case connection(InstanceID, ConnectionEvent)
    case timer(id: Int64, InstanceID)
    case apiSend(conversation: ConversationID, instanceID: InstanceID, OutgoingContent, SendAcknowledgement)
    case sendAccepted(outboxID: Int64, InstanceID, providerMessageID: String)
    case sendFailed(outboxID: Int64, InstanceID, reason: String, retryAt: Date?)

    var instanceID: InstanceID {
        switch self {
        case .inbound(let message, _): return message.instanceID
        case .receipt(let id, _, _, _), .connection(let id, _), .timer(_, let id), .apiSend(_, let id, _, _),
             .sendAccepted(_, let id, _), .sendFailed(_, let id, _, _):
            return id
        }
    }
}

typealias Acknowledgement = CheckedContinuation<Void, any Error>
typealias SendAcknowledgement = CheckedContinuation<OutboxRecord, any Error>
