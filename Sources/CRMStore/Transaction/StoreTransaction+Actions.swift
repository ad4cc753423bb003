import CRMCore
import Foundation
import GRDB

extension StoreTransaction {
    /// Commits what a script of `instance` asked for. Every conversation named
    /// is checked first to belong to that instance; when one does not, nothing
    /// is written and `conversationOfAnotherInstance` (or `conversationNotFound`)
    /// is thrown.
    /// - Returns: the outbound messages queued, for live updates.
    @discardableResult
    public func apply(_ actions: [ScriptAction], instance: InstanceRecord, at now: Date) throws -> [MessageRecord] {
        var conversations: [ConversationID: ConversationRecord] = [:]
        for action in actions {
            guard let id = action.conversation, conversations[id] == nil else { continue }
            guard let record = try ConversationRecord.fetch(db, id: id) else { throw StoreError.conversationNotFound(id) }
            guard record.instanceID == instance.id else {
                throw StoreError.conversationOfAnotherInstance(conversation: id, instance: instance.id)
            }
            conversations[id] = record
        }
        var queued: [MessageRecord] = []
        for action in actions {
            switch action {
            case .send(let id, let content):
                queued.append(try queueSend(content, in: conversations[id]!, byOperator: false, at: now))
            case .tag(let id, let tag):
                try db.cachedStatement(sql: "INSERT OR IGNORE INTO tags(company_id, name) VALUES (?, ?)")
                    .execute(arguments: [instance.companyID, tag])
                try db.cachedStatement(sql: """
                    INSERT OR IGNORE INTO conversation_tags(conversation_id, tag_id)
                    SELECT ?, id FROM tags WHERE company_id = ? AND name = ?
                    """).execute(arguments: [id, instance.companyID, tag])
            case .untag(let id, let tag):
                try db.cachedStatement(sql: """
                    DELETE FROM conversation_tags WHERE conversation_id = ?
                      AND tag_id = (SELECT id FROM tags WHERE company_id = ? AND name = ?)
                    """).execute(arguments: [id, instance.companyID, tag])
            case .assign(let id, let queue):
                try db.cachedStatement(sql: "UPDATE conversations SET assignee = ? WHERE id = ?").execute(arguments: [queue, id])
            case .kvSet(let key, let value):
                try setKV(key, value, instance: instance.id)
            case .timer(let name, let payload, let dueAt):
                try db.cachedStatement(sql: """
                    INSERT INTO timers(instance_id, name, payload, due_at, created_at) VALUES (?, ?, ?, ?, ?)
                    """).execute(arguments: [instance.id, name, Self.json(payload), dueAt.storageSeconds, now.storageSeconds])
            }
        }
        return queued
    }

    /// Stores an outbound message (`queued`) and its outbox row, addressed from
    /// the conversation itself: the instance that owns it, the phone when known,
    /// else the user id, or the group.
    func queueSend(_ content: OutgoingContent, in conversation: ConversationRecord, byOperator: Bool,
                   at now: Date) throws -> MessageRecord {
        let text = content.text ?? content.media?.caption ?? content.template.map { "[template \($0.name)]" } ?? ""
        guard !text.isEmpty || content.media != nil else { throw StoreError.emptyMessage(conversation.id) }
        try db.cachedStatement(sql: """
            INSERT INTO messages(instance_id, conversation_id, direction, content, media_url, media_type, status, created_at)
            VALUES (?, ?, 'out', ?, ?, ?, 'queued', ?)
            """).execute(arguments: [conversation.instanceID, conversation.id, text, content.media?.url,
                                     content.media?.type, now.storageSeconds])
        let messageID = db.lastInsertedRowID
        let address = conversation.replyAddress
        try db.cachedStatement(sql: """
            INSERT INTO outbox(instance_id, conversation_id, message_id, recipient, recipient_is_user_id, is_group,
                               content, next_attempt_at, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [conversation.instanceID, conversation.id, messageID, address.to, address.isUserID,
                                     conversation.isGroup, Self.json(content), now.storageSeconds, now.storageSeconds])
        try db.cachedStatement(sql: """
            UPDATE conversations SET last_message_at = max(last_message_at, ?1),
              last_operator_reply_at = CASE WHEN ?2 THEN ?1 ELSE last_operator_reply_at END
            WHERE id = ?3
            """).execute(arguments: [now.storageSeconds, byOperator, conversation.id])
        return try MessageRecord.fetch(db, id: messageID)!
    }

    private func setKV(_ key: String, _ value: JSONValue?, instance: InstanceID) throws {
        guard let value else {
            try db.cachedStatement(sql: "DELETE FROM kv WHERE instance_id = ? AND key = ?").execute(arguments: [instance, key])
            return
        }
        try db.cachedStatement(sql: """
            INSERT INTO kv(instance_id, key, value) VALUES (?, ?, ?)
            ON CONFLICT(instance_id, key) DO UPDATE SET value = excluded.value
            """).execute(arguments: [instance, key, Self.json(value)])
    }

    static func json<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
    }
}

extension ScriptAction {
    /// The conversation an action is about, if any.
    var conversation: ConversationID? {
        switch self {
        case .send(let id, _), .tag(let id, _), .untag(let id, _), .assign(let id, _): return id
        case .kvSet, .timer: return nil
        }
    }
}
