import CRMCore
import Foundation
import GRDB

extension StoreTransaction {
    /// Commits what a script of `instance` asked for: `approve`, then `write`.
    /// - Throws: a `StoreError` refusal, with nothing written.
    /// - Returns: the outbound messages queued, for live updates.
    @discardableResult
    public func apply(_ actions: [ScriptAction], instance: InstanceRecord, at now: Date) throws -> [MessageRecord] {
        try write(approve(actions, instance: instance), at: now).queued
    }

    /// Looks for every reason to refuse an event's actions before any of them
    /// is written: each conversation named must belong to `instance`, each send
    /// must have something to send. Refusing here is what keeps an event all
    /// or nothing without a savepoint around its writes.
    /// - Throws: `conversationOfAnotherInstance`, `conversationNotFound` or
    ///   `emptyMessage`; nothing has been written.
    public func approve(_ actions: [ScriptAction], instance: InstanceRecord) throws -> ApprovedActions {
        for action in actions {
            guard let id = action.conversation else { continue }
            guard let route = try route(id) else { throw StoreError.conversationNotFound(id) }
            guard route.instanceID == instance.id else {
                throw StoreError.conversationOfAnotherInstance(conversation: id, instance: instance.id)
            }
            if case .send(_, let content) = action { _ = try Self.storedText(of: content, in: id) }
        }
        return ApprovedActions(actions: actions, instance: instance)
    }

    /// Writes approved actions. Whatever fails here is the database failing,
    /// not a refusal: the caller lets it fail the whole transaction.
    /// - Parameter handOver: asked for each send whether its connector's lane
    ///   takes it as soon as this transaction commits; if so only its message
    ///   row keeps it, and it is returned ready to send, with no claim to wait
    ///   for. Otherwise it waits in the outbox for a claim.
    public func write(_ approved: ApprovedActions, at now: Date,
                      handOver: (InstanceID) -> Bool = { _ in false }) throws -> WrittenActions {
        let instance = approved.instance
        var written = WrittenActions()
        for action in approved.actions {
            switch action {
            case .send(let id, let content):
                let route = try route(id)!
                let taken = handOver(route.instanceID)
                let (message, key) = try queueSend(content, via: route, byOperator: false, handedOver: taken, at: now)
                written.queued.append(message)
                if taken {
                    written.handedOver.append(OutboxEntry(route: route, message: message, key: key, content: content,
                                                          queuedAt: now.storageSeconds))
                }
            case .tag(let id, let tag):
                try DirectStatement(db, sql: "INSERT OR IGNORE INTO tags(company_id, name) VALUES (?, ?)")
                    .execute(instance.companyID, tag)
                try DirectStatement(db, sql: """
                    INSERT OR IGNORE INTO conversation_tags(conversation_id, tag_id)
                    SELECT ?, id FROM tags WHERE company_id = ? AND name = ?
                    """).execute(id, instance.companyID, tag)
            case .untag(let id, let tag):
                try DirectStatement(db, sql: """
                    DELETE FROM conversation_tags WHERE conversation_id = ?
                      AND tag_id = (SELECT id FROM tags WHERE company_id = ? AND name = ?)
                    """).execute(id, instance.companyID, tag)
            case .assign(let id, let queue):
                try DirectStatement(db, sql: "UPDATE conversations SET assignee = ? WHERE id = ?").execute(queue, id)
            case .kvSet(let key, let value):
                try setKV(key, value, instance: instance.id)
            case .timer(let name, let payload, let dueAt):
                try db.cachedStatement(sql: """
                    INSERT INTO timers(instance_id, name, payload, due_at, created_at) VALUES (?, ?, ?, ?, ?)
                    """).execute(arguments: [instance.id, name, Self.json(payload), dueAt.storageSeconds, now.storageSeconds])
            }
        }
        return written
    }

    /// Stores an outbound message (`queued`), addressed by the conversation's
    /// route: the instance that owns it, the phone when known, else the user
    /// id, or the group.
    /// - Parameter handedOver: the send goes to its lane when this transaction
    ///   commits, so its message row keeps its content and no outbox row is
    ///   written; otherwise it gets an outbox row and waits for a claim.
    /// - Returns: the message and the send's idempotency key.
    func queueSend(_ content: OutgoingContent, via route: ReplyRoute, byOperator: Bool, handedOver: Bool = false,
                   at now: Date) throws -> (MessageRecord, key: String) {
        let text = try Self.storedText(of: content, in: route.conversation)
        let at = now.storageSeconds
        try DirectStatement(db, sql: """
            INSERT INTO messages(instance_id, conversation_id, direction, content, media_url, media_type, status,
                                 created_at, outgoing)
            VALUES (?, ?, 'out', ?, ?, ?, 'queued', ?, ?)
            """).execute(route.instanceID, route.conversation, text, content.media?.url, content.media?.type, at,
                         handedOver ? content.storedJSON : nil)
        let messageID = db.lastInsertedRowID
        let key = OutboxEntry.idempotencyKey(message: messageID, queuedAt: at)
        if !handedOver {
            try insertOutboxRow(route: route, message: messageID, content: content.storedJSON, key: key, due: at, queuedAt: at)
        }
        if !byOperator, pendingTouch?.conversation == route.conversation {
            pendingTouch!.lastMessageAt = max(pendingTouch!.lastMessageAt, at)
        } else {
            try DirectStatement(db, sql: """
                UPDATE conversations SET last_message_at = max(last_message_at, ?1),
                  last_operator_reply_at = CASE WHEN ?2 THEN ?1 ELSE last_operator_reply_at END
                WHERE id = ?3
                """).execute(at, byOperator, route.conversation)
        }
        let message = MessageRecord(id: messageID, instanceID: route.instanceID, conversationID: route.conversation,
                                    whatsappID: nil, direction: .outbound, sender: nil, content: text,
                                    mediaURL: content.media?.url, mediaType: content.media?.type, status: .queued,
                                    createdAt: Date(storageSeconds: at))
        return (message, key)
    }

    /// Puts a send in the outbox, `pending` until `due`; `queuedAt` is when
    /// its message was queued.
    func insertOutboxRow(route: ReplyRoute, message: MessageRowID, content: String, key: String, attempts: Int = 0,
                         lastError: String? = nil, due: Double, queuedAt: Double) throws {
        try DirectStatement(db, sql: """
            INSERT INTO outbox(instance_id, conversation_id, message_id, recipient, recipient_is_user_id, is_group,
                               content, idempotency_key, attempts, last_error, state, next_attempt_at, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)
            """).execute(route.instanceID, route.conversation, message, route.to, route.toUserID, route.isGroup,
                         content, key, Int64(attempts), lastError, due, queuedAt)
    }

    /// The text a send is stored with: its text, else the media's caption, else
    /// the template's name.
    /// - Throws: `emptyMessage` when there is neither text nor media.
    static func storedText(of content: OutgoingContent, in conversation: ConversationID) throws -> String {
        let text = content.text ?? content.media?.caption ?? content.template.map { "[template \($0.name)]" } ?? ""
        guard !text.isEmpty || content.media != nil else { throw StoreError.emptyMessage(conversation) }
        return text
    }

    private func setKV(_ key: String, _ value: JSONValue?, instance: InstanceID) throws {
        guard let value else {
            try DirectStatement(db, sql: "DELETE FROM kv WHERE instance_id = ? AND key = ?").execute(instance, key)
            return
        }
        try DirectStatement(db, sql: """
            INSERT INTO kv(instance_id, key, value) VALUES (?, ?, ?)
            ON CONFLICT(instance_id, key) DO UPDATE SET value = excluded.value
            """).execute(instance, key, Self.json(value))
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
