import CRMCore
import Foundation

/// A send waiting for the connector (SPEC §5). Its id is the idempotency key:
/// every retry of this send carries the same one.
public struct OutboxEntry: Sendable, Equatable {
    public var id: Int64
    public var instanceID: InstanceID
    public var conversationID: ConversationID
    public var messageID: MessageRowID
    /// How many hand-overs failed so far.
    public var attempts: Int
    public var message: OutgoingMessage

    /// A claimed send, its content decoded from the stored JSON. This runs
    /// after the claim's write, not inside it, so that the writer does not
    /// wait on JSON.
    init(_ due: DueSend) {
        id = due.id; instanceID = due.instanceID; conversationID = due.conversationID; messageID = due.messageID
        attempts = due.attempts
        let content = (try? JSONDecoder().decode(OutgoingContent.self, from: Data(due.content.utf8))) ?? OutgoingContent()
        message = OutgoingMessage(instanceID: instanceID, idempotencyKey: Self.idempotencyKey(id), to: due.recipient,
                                  isGroup: due.isGroup, content: content, toUserID: due.toUserID,
                                  lastInboundAt: due.lastInboundAt.map(Date.init(storageSeconds:)))
    }

    /// A send just queued and claimed in the same transaction: everything a
    /// claim would read back is at hand.
    init(id: Int64, route: ReplyRoute, message: MessageRecord, content: OutgoingContent) {
        self.id = id; instanceID = route.instanceID; conversationID = route.conversation; messageID = message.id
        attempts = 0
        self.message = OutgoingMessage(instanceID: instanceID, idempotencyKey: Self.idempotencyKey(id), to: route.to,
                                       isGroup: route.isGroup, content: content, toUserID: route.toUserID,
                                       lastInboundAt: route.lastInboundAt.map(Date.init(storageSeconds:)))
    }

    public static func idempotencyKey(_ id: Int64) -> String { "outbox-\(id)" }
}

/// How one hand-over to the connector ended.
public enum SendOutcome: Sendable, Equatable {
    case sent(providerMessageID: String)
    /// Try again at `retryAt`.
    case retry(reason: String, retryAt: Date)
    /// Given up: the message becomes `failed` with the reason.
    case failed(reason: String)
}
