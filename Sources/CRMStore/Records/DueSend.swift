import CRMCore
import GRDB

/// An outbox row as a claim reads it, its content still the stored JSON text.
struct DueSend: Sendable {
    var id: Int64
    var instanceID: InstanceID
    var conversationID: ConversationID
    var messageID: MessageRowID
    var attempts: Int
    var recipient: String
    var toUserID: Bool
    var isGroup: Bool
    var content: String
    var idempotencyKey: String
    var queuedAt: Double
    /// The conversation's: the Cloud API's 24-hour window opens there.
    var lastInboundAt: Double?

    /// The columns `init(columns:)` reads, in its order, each qualified by
    /// `outbox` but the last, which comes from the conversation.
    static let columns = """
        outbox.id, outbox.instance_id, outbox.conversation_id, outbox.message_id, outbox.attempts, outbox.recipient, \
        outbox.recipient_is_user_id, outbox.is_group, outbox.content, outbox.idempotency_key, outbox.created_at, \
        conversations.last_inbound_at
        """

    /// A row that starts with `columns`.
    init(columns row: some PositionalRow) {
        id = row[column: 0]; instanceID = row[column: 1]; conversationID = row[column: 2]; messageID = row[column: 3]
        attempts = row[column: 4]; recipient = row[column: 5]; toUserID = row[column: 6]; isGroup = row[column: 7]
        content = row[column: 8]; idempotencyKey = row[column: 9]; queuedAt = row[column: 10]
        lastInboundAt = row[column: 11]
    }
}
