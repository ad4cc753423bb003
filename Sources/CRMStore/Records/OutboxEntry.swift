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

    /// The columns `init(row:)` reads, in its order (rows are decoded by
    /// position); `last_inbound_at` comes from the conversation.
    static let columns = """
        id, instance_id, conversation_id, message_id, attempts, recipient, recipient_is_user_id, is_group, content, \
        last_inbound_at
        """

    /// A row that starts with `columns`.
    public init(row: Row) {
        id = row[0]; instanceID = row[1]; conversationID = row[2]; messageID = row[3]; attempts = row[4]
        let contentText: String = row[8]
        let content = (try? JSONDecoder().decode(OutgoingContent.self, from: Data(contentText.utf8))) ?? OutgoingContent()
        message = OutgoingMessage(instanceID: instanceID, idempotencyKey: Self.idempotencyKey(id), to: row[5],
                                  isGroup: row[7], content: content, toUserID: row[6],
                                  lastInboundAt: (row[9] as Double?).map(Date.init(storageSeconds:)))
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
