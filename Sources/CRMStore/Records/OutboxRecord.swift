import CRMCore
import Foundation
import GRDB

/// A send not yet confirmed by the connector. Its `idempotencyKey` travels
/// with every attempt, so retrying after a crash never shows the recipient a
/// second message.
public struct OutboxRecord: Sendable, Equatable, FetchableRecord, TableRecord {
    public static let databaseTableName = "outbox"
    public var id: Int64
    public var messageID: MessageRowID
    public var instanceID: InstanceID
    public var conversationID: ConversationID
    public var idempotencyKey: String
    public var recipient: String
    public var isGroup: Bool
    public var content: OutgoingContent
    public var attempts: Int
    public var nextAttemptAt: Date
    public var lastError: String?

    public init(row: Row) throws {
        id = row["id"]; messageID = row["message_id"]; instanceID = row["instance_id"]
        conversationID = row["conversation_id"]; idempotencyKey = row["idempotency_key"]
        recipient = row["recipient"]; isGroup = row["is_group"]
        let contentText: String = row["content"]
        content = try JSONDecoder().decode(OutgoingContent.self, from: Data(contentText.utf8))
        attempts = row["attempts"]; nextAttemptAt = Date(storeTime: row["next_attempt_at"]); lastError = row["last_error"]
    }

    init(id: Int64, messageID: MessageRowID, instanceID: InstanceID, conversationID: ConversationID,
         idempotencyKey: String, recipient: String, isGroup: Bool, content: OutgoingContent, nextAttemptAt: Date) {
        self.id = id; self.messageID = messageID; self.instanceID = instanceID; self.conversationID = conversationID
        self.idempotencyKey = idempotencyKey; self.recipient = recipient; self.isGroup = isGroup
        self.content = content; attempts = 0; self.nextAttemptAt = nextAttemptAt; lastError = nil
    }

    /// The send as the owning instance's connector takes it.
    public var outgoing: OutgoingMessage {
        OutgoingMessage(instanceID: instanceID, idempotencyKey: idempotencyKey, to: recipient, isGroup: isGroup,
                        content: content)
    }
}
