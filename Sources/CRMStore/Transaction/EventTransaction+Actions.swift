import CRMCore
import Foundation
import GRDB

extension EventTransaction {
    /// Commits a script's actions for `instance`, all or nothing: the first
    /// refused action undoes the others and is thrown.
    /// - Returns: the sends put in the outbox, for the outbox worker.
    /// - Throws: `ActionRefusal` (nothing of the actions stays), or a database error.
    public func apply(_ actions: [ScriptAction], instance: InstanceRecord, now: Date) throws -> [OutboxRecord] {
        if actions.isEmpty { return [] }
        return try allOrNothing {
            var sends: [OutboxRecord] = []
            for action in actions {
                switch action {
                case .send(let conversation, let content):
                    sends.append(try enqueueSend(conversationID: conversation, instanceID: instance.id, content: content, now: now))
                case .tag(let conversation, let tag):
                    try ownedConversation(conversation, instanceID: instance.id)
                    try tagConversation(conversation, instanceID: instance.id, tag: tag)
                case .untag(let conversation, let tag):
                    try ownedConversation(conversation, instanceID: instance.id)
                    try db.execute(sql: """
                        DELETE FROM conversation_tags WHERE conversation_id = ?
                            AND tag_id = (SELECT id FROM tags WHERE instance_id = ? AND name = ?)
                        """, arguments: [conversation, instance.id, tag])
                case .assign(let conversation, let queue):
                    try ownedConversation(conversation, instanceID: instance.id)
                    try db.execute(sql: "UPDATE conversations SET assignee = ? WHERE id = ?", arguments: [queue, conversation])
                case .kvSet(let key, let value):
                    try setKV(key: key, value: value, instanceID: instance.id, now: now)
                case .timer(let name, let payload, let dueAt):
                    try db.cachedStatement(sql: """
                        INSERT INTO timers (instance_id, name, payload, due_at, created_at) VALUES (?, ?, ?, ?, ?)
                        """).execute(arguments: [instance.id, name, try JSONText.encode(payload), dueAt.storeTime, now.storeTime])
                }
            }
            return sends
        }
    }

    /// Puts a send in the outbox (and the conversation as a `queued` message).
    /// The recipient and the sending instance come from the stored
    /// conversation, never from the caller (SPEC §2.3).
    /// - Parameters:
    ///   - conversationID: where to send.
    ///   - instanceID: when given, the conversation must belong to it (a script's own instance).
    ///   - content: what to send.
    public func enqueueSend(conversationID: ConversationID, instanceID: InstanceID?, content: OutgoingContent,
                            now: Date) throws -> OutboxRecord {
        guard let conversation = try ConversationRecord.fetchOne(db.cachedStatement(sql: """
            SELECT * FROM conversations WHERE id = ?
            """), arguments: [conversationID]), instanceID == nil || conversation.instanceID == instanceID else {
            throw ActionRefusal.conversationNotOfInstance(conversationID, instanceID: instanceID ?? "?")
        }
        let text = content.text ?? content.media?.caption ?? content.template.map { "[template \($0.name)]" } ?? ""
        guard content.text?.isEmpty == false || content.media != nil || content.template != nil else {
            throw ActionRefusal.emptyMessage(conversationID)
        }
        let bytes = text.utf8.count
        guard bytes <= InboundRejection.maximumTextBytes else {
            throw ActionRefusal.textTooLong(conversationID, bytes: bytes, limit: InboundRejection.maximumTextBytes)
        }
        try db.cachedStatement(sql: """
            INSERT INTO messages (conversation_id, instance_id, direction, content, media_url, media_type, status, created_at)
            VALUES (?, ?, 'out', ?, ?, ?, 'queued', ?)
            """).execute(arguments: [conversation.id, conversation.instanceID, text, content.media?.url,
                                     content.media?.type, now.storeTime])
        let messageID = db.lastInsertedRowID
        let key = UUID().uuidString.lowercased()
        try db.cachedStatement(sql: """
            INSERT INTO outbox (message_id, instance_id, conversation_id, idempotency_key, recipient, is_group, content,
                                next_attempt_at, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [messageID, conversation.instanceID, conversation.id, key, conversation.replyAddress,
                                     conversation.isGroup, try JSONText.encode(content), now.storeTime, now.storeTime])
        let outboxID = db.lastInsertedRowID
        try db.cachedStatement(sql: "UPDATE conversations SET last_message_at = MAX(COALESCE(last_message_at, 0), ?) WHERE id = ?")
            .execute(arguments: [now.storeTime, conversation.id])
        return OutboxRecord(id: outboxID, messageID: messageID, instanceID: conversation.instanceID,
                            conversationID: conversation.id, idempotencyKey: key, recipient: conversation.replyAddress,
                            isGroup: conversation.isGroup, content: content, nextAttemptAt: now)
    }

    private func ownedConversation(_ id: ConversationID, instanceID: InstanceID) throws {
        guard try Int.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM conversations WHERE id = ? AND instance_id = ?"),
                               arguments: [id, instanceID]) != nil else {
            throw ActionRefusal.conversationNotOfInstance(id, instanceID: instanceID)
        }
    }

    private func tagConversation(_ id: ConversationID, instanceID: InstanceID, tag: String) throws {
        guard (1...256).contains(tag.utf8.count) else { throw ActionRefusal.invalidName(tag) }
        try db.cachedStatement(sql: "INSERT OR IGNORE INTO tags (instance_id, name) VALUES (?, ?)")
            .execute(arguments: [instanceID, tag])
        try db.cachedStatement(sql: """
            INSERT OR IGNORE INTO conversation_tags (conversation_id, tag_id)
            SELECT ?, id FROM tags WHERE instance_id = ? AND name = ?
            """).execute(arguments: [id, instanceID, tag])
    }

    private func setKV(key: String, value: JSONValue?, instanceID: InstanceID, now: Date) throws {
        guard (1...256).contains(key.utf8.count) else { throw ActionRefusal.invalidName(key) }
        guard let value else {
            try db.cachedStatement(sql: "DELETE FROM kv WHERE instance_id = ? AND key = ?").execute(arguments: [instanceID, key])
            return
        }
        try db.cachedStatement(sql: """
            INSERT INTO kv (instance_id, key, value, updated_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (instance_id, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
            """).execute(arguments: [instanceID, key, try JSONText.encode(value), now.storeTime])
    }
}
