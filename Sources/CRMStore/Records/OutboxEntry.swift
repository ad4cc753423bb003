import CRMCore
import Foundation

/// A send waiting for the connector (SPEC §5). Its idempotency key stays the
/// same for every retry of this send, across restarts.
public struct OutboxEntry: Sendable, Equatable {
    /// Its outbox row; nil for a send handed straight to its lane, which only
    /// its message row keeps (`messages.outgoing`) until the connector answers.
    public var outboxRow: Int64?
    public var instanceID: InstanceID
    public var conversationID: ConversationID
    public var messageID: MessageRowID
    /// How many hand-overs failed so far.
    public var attempts: Int
    public var message: OutgoingMessage
    /// When its message was queued (storage seconds): settling the send
    /// rebuilds the message row from the entry instead of reading it back.
    var queuedAt: Double

    /// A claimed send, its content decoded from the stored JSON. This runs
    /// after the claim's write, not inside it, so that the writer does not
    /// wait on JSON.
    init(_ due: DueSend) {
        outboxRow = due.id; instanceID = due.instanceID; conversationID = due.conversationID
        messageID = due.messageID; attempts = due.attempts; queuedAt = due.queuedAt
        let content = (try? JSONDecoder().decode(OutgoingContent.self, from: Data(due.content.utf8))) ?? OutgoingContent()
        message = OutgoingMessage(instanceID: instanceID, idempotencyKey: due.idempotencyKey, to: due.recipient,
                                  isGroup: due.isGroup, content: content, toUserID: due.toUserID,
                                  lastInboundAt: due.lastInboundAt.map(Date.init(storageSeconds:)))
    }

    /// A send just queued and handed to its lane in the same transaction:
    /// everything a claim would read back is at hand.
    init(route: ReplyRoute, message: MessageRecord, key: String, content: OutgoingContent, queuedAt: Double) {
        outboxRow = nil; instanceID = route.instanceID; conversationID = route.conversation; messageID = message.id
        attempts = 0; self.queuedAt = queuedAt
        self.message = OutgoingMessage(instanceID: instanceID, idempotencyKey: key, to: route.to,
                                       isGroup: route.isGroup, content: content, toUserID: route.toUserID,
                                       lastInboundAt: route.lastInboundAt.map(Date.init(storageSeconds:)))
    }

    /// The key of a send: its message's id and the millisecond it was
    /// queued. The time is part of it because SQLite gives the id of deleted
    /// newest rows out again (an instance removed with its messages), and the
    /// connector would drop a new send carrying an old send's key.
    static func idempotencyKey(message: MessageRowID, queuedAt: Double) -> String {
        "send-\(message)-\(Int64((queuedAt * 1000).rounded()))"
    }
}

/// How one hand-over to the connector ended.
public enum SendOutcome: Sendable, Equatable {
    case sent(providerMessageID: String)
    /// Try again at `retryAt`.
    case retry(reason: String, retryAt: Date)
    /// Given up: the message becomes `failed` with the reason.
    case failed(reason: String)
}
