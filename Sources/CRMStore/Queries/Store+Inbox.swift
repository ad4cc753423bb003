import CRMCore
import Foundation
import GRDB

/// The filters of the inbox list (`GET /api/conversations`).
public struct InboxFilter: Sendable, Equatable {
    public var instanceID: InstanceID?
    public var tag: String?
    public var assignee: String?
    /// Matches contact name, id, username, group name or message text.
    public var text: String?

    public init(instanceID: InstanceID? = nil, tag: String? = nil, assignee: String? = nil, text: String? = nil) {
        self.instanceID = instanceID; self.tag = tag; self.assignee = assignee; self.text = text
    }
}

/// Which end of a conversation's history a page starts from.
public enum MessageOrder: Sendable { case newestFirst, oldestFirst }

extension CRMStore {
    /// Conversations across the company's instances, newest activity first.
    /// - Parameters:
    ///   - cursor: the `nextCursor` of the previous page, nil for the first.
    ///   - limit: page size, 1...500.
    public func conversations(company: Int64, filter: InboxFilter = InboxFilter(), cursor: String? = nil,
                              limit: Int = 50) throws -> Page<InboxConversation> {
        let limit = min(max(limit, 1), 500)
        var sql = Self.inboxSelect
        var arguments: [any DirectArgument] = [company]
        if let instance = filter.instanceID {
            sql += " AND c.instance_id = ?"; arguments.append(instance.lowercased())
        }
        if let assignee = filter.assignee {
            sql += " AND c.assignee = ?"; arguments.append(assignee)
        }
        if let tag = filter.tag {
            sql += """
                 AND EXISTS (SELECT 1 FROM conversation_tags ct JOIN tags t ON t.id = ct.tag_id
                             WHERE ct.conversation_id = c.id AND t.name = ?)
                """
            arguments.append(tag)
        }
        if let text = filter.text, !text.isEmpty {
            let pattern = "%" + text.replacingOccurrences(of: "\\", with: "\\\\")
                .replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_") + "%"
            sql += """
                 AND (c.contact_name LIKE ?1x ESCAPE '\\' OR c.contact_id LIKE ?1x ESCAPE '\\'
                      OR c.contact_username LIKE ?1x ESCAPE '\\' OR c.group_name LIKE ?1x ESCAPE '\\'
                      OR EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id AND m.content LIKE ?1x ESCAPE '\\'))
                """.replacingOccurrences(of: "?1x", with: "?")
            arguments += Array(repeating: pattern, count: 5)
        }
        if let cursor {
            let parts = try Cursor.decode(cursor, parts: 2)
            guard let at = Double(parts[0]), let id = Int64(parts[1]) else { throw StoreError.invalidCursor(cursor) }
            // A row-value comparison: SQLite seeks the inbox index to the cursor,
            // where the equivalent OR walks every row before it.
            sql += " AND (c.last_message_at, c.id) < (?, ?)"
            arguments += [at, id]
        }
        sql += " ORDER BY c.last_message_at DESC, c.id DESC LIMIT ?"
        arguments.append(Int64(limit + 1))
        return try readers.read { reader in
            // The text of the query varies only with which filters are set, so
            // its prepared statement is kept and reused; each row is decoded
            // straight off the statement.
            var items = try DirectStatement(reader, sql: sql).fetchAll(arguments: arguments) { row in
                InboxConversation(conversation: ConversationRecord(columns: row),
                                  instanceName: row[column: Self.instanceNameColumn],
                                  instancePhone: row[column: Self.instanceNameColumn + 1], tags: [])
            }
            let more = items.count > limit
            if more { items.removeLast() }
            let tags = try ConversationRecord.tags(reader, conversations: items.map { $0.conversation.id })
            for index in items.indices { items[index].tags = tags[items[index].conversation.id] ?? [] }
            let next = more ? items.last.map {
                Cursor.encode(["\($0.conversation.lastMessageAt.storageSeconds)", "\($0.conversation.id)"])
            } : nil
            return Page(items: items, nextCursor: next)
        }
    }

    /// The inbox list up to its company condition; filters follow.
    private static let inboxSelect = """
        SELECT \(ConversationRecord.columns(of: "c")), i.name, i.phone_number
        FROM conversations c JOIN instances i ON i.id = c.instance_id
        WHERE c.company_id = ?
        """

    /// Where the instance's name and number follow the conversation's columns.
    private static let instanceNameColumn = ConversationRecord.columnNames.count

    /// One conversation of the company; another company's is `conversationNotFound`.
    public func conversation(_ id: ConversationID, company: Int64) throws -> InboxConversation {
        try pool.read { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT \(ConversationRecord.columns(of: "c")), i.name, i.phone_number
                FROM conversations c JOIN instances i ON i.id = c.instance_id
                WHERE c.id = ? AND c.company_id = ?
                """, arguments: [id, company]) else { throw StoreError.conversationNotFound(id) }
            return InboxConversation(conversation: ConversationRecord(row: row), instanceName: row[Self.instanceNameColumn],
                                     instancePhone: row[Self.instanceNameColumn + 1],
                                     tags: try ConversationRecord.tags(db, conversation: id))
        }
    }

    /// Messages of one of the company's conversations, a page at a time.
    public func messages(in conversation: ConversationID, company: Int64, order: MessageOrder = .newestFirst,
                         cursor: String? = nil, limit: Int = 50) throws -> Page<MessageRecord> {
        let limit = min(max(limit, 1), 500)
        let after = try cursor.map { cursor -> Int64 in
            guard let id = Int64(try Cursor.decode(cursor, parts: 1)[0]) else { throw StoreError.invalidCursor(cursor) }
            return id
        }
        let comparison = order == .newestFirst ? "<" : ">"
        let direction = order == .newestFirst ? "DESC" : "ASC"
        return try pool.read { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM conversations WHERE id = ? AND company_id = ?",
                                    arguments: [conversation, company]) != nil else {
                throw StoreError.conversationNotFound(conversation)
            }
            let rows = try MessageRecord.fetchAll(db, sql: """
                SELECT \(MessageRecord.columns) FROM messages WHERE conversation_id = ? \(after == nil ? "" : "AND id \(comparison) ?")
                ORDER BY id \(direction) LIMIT ?
                """, arguments: after.map { [conversation, $0, limit + 1] } ?? [conversation, limit + 1])
            let items = Array(rows.prefix(limit))
            return Page(items: items, nextCursor: rows.count > limit ? items.last.map { Cursor.encode(["\($0.id)"]) } : nil)
        }
    }

    /// Marks a conversation read (the inbox opened it).
    public func markRead(_ id: ConversationID, company: Int64) throws {
        try pool.write { db in
            try db.execute(sql: "UPDATE conversations SET unread_count = 0 WHERE id = ? AND company_id = ?",
                           arguments: [id, company])
            if db.changesCount == 0 { throw StoreError.conversationNotFound(id) }
        }
    }

    /// An operator's send (`POST /api/conversations/:id/messages`): stored as
    /// `queued` with an outbox row for the instance that owns the conversation —
    /// the caller has no say in which.
    public func queueOperatorSend(_ content: OutgoingContent, to conversation: ConversationID, company: Int64,
                                  at now: Date = Date()) throws -> MessageRecord {
        try pool.write { db in
            guard let record = try ConversationRecord.fetch(db, id: conversation), record.companyID == company else {
                throw StoreError.conversationNotFound(conversation)
            }
            return try StoreTransaction.run(in: db, instances: instanceCache) { try $0.queueSend(content, via: record.route, byOperator: true, at: now).0 }
        }
    }
}
