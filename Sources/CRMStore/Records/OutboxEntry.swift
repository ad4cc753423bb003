import CRMCore
import Foundation
import GRDB

/// A send waiting for the connector (SPEC §5). Its id is the idempotency key:
/// every retry of this send carries the same one.
public struct OutboxEntry: Sendable, Equatable, FetchableRecord {
    public var id: Int64
    public var instanceID: InstanceID
    public var conversationID: ConversationID
    public var messageID: MessageRowID
    /// How many hand-overs failed so far.
    public var attempts: Int
    public var message: OutgoingMessage

    public init(row: Row) {
        id = row["id"]; instanceID = row["instance_id"]; conversationID = row["conversation_id"]
        messageID = row["message_id"]; attempts = row["attempts"]
        let contentText: String = row["content"]
        let content = (try? JSONDecoder().decode(OutgoingContent.self, from: Data(contentText.utf8))) ?? OutgoingContent()
        message = OutgoingMessage(instanceID: instanceID, idempotencyKey: Self.idempotencyKey(id), to: row["recipient"],
                                  isGroup: row["is_group"], content: content, toUserID: row["recipient_is_user_id"],
                                  lastInboundAt: (row["last_inbound_at"] as Double?).map(Date.init(storageSeconds:)))
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
