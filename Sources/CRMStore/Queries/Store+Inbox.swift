import CRMCore
import Foundation
import GRDB

/// What the unified inbox may filter by (SPEC §8). Nil fields do not filter.
public struct InboxFilter: Sendable, Equatable {
    public var instanceID: InstanceID?
    public var tag: String?
    public var assignee: String?
    /// Matches the contact's name, phone, user id, username, the group's name, or a message's text.
    public var text: String?

    public init(instanceID: InstanceID? = nil, tag: String? = nil, assignee: String? = nil, text: String? = nil) {
        self.instanceID = instanceID; self.tag = tag; self.assignee = assignee; self.text = text
    }
}

/// One page of a list, and where the next one starts (nil at the end).
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    public var nextCursor: String?
}

extension Store {
    /// The conversations of all the company's instances, newest `last_message_at`
    /// first, with keyset pagination.
    /// - Parameters:
    ///   - companyID: whose inbox; nothing of another company is ever returned.
    ///   - filter: optional narrowing.
    ///   - cursor: `next_cursor` of the previous page, nil for the first.
    ///   - limit: page size, 1...500.
    public func conversations(companyID: Int64, filter: InboxFilter = InboxFilter(), cursor: String? = nil,
                              limit: Int = 50) throws -> Page<InboxConversation> {
        let limit = min(max(limit, 1), 500)
        var conditions = ["c.company_id = ?"]
        var arguments: StatementArguments = [companyID]
        if let cursor {
            guard let position = InboxCursor(cursor) else { throw StoreError.invalid(field: "cursor", reason: "not a cursor of this list") }
            conditions.append("(c.last_message_at < ? OR (c.last_message_at = ? AND c.id < ?))")
            arguments += [position.lastMessageAt, position.lastMessageAt, position.id]
        }
        if let instanceID = filter.instanceID {
            conditions.append("c.instance_id = ?"); arguments += [instanceID]
        }
        if let assignee = filter.assignee {
            conditions.append("c.assignee = ?"); arguments += [assignee]
        }
        if let tag = filter.tag {
            conditions.append("""
                EXISTS (SELECT 1 FROM conversation_tags ct JOIN tags t ON t.id = ct.tag_id
                        WHERE ct.conversation_id = c.id AND t.name = ?)
                """)
            arguments += [tag]
        }
        if let text = filter.text, !text.isEmpty {
            let pattern = "%" + text.replacingOccurrences(of: "\\", with: "\\\\")
                .replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_") + "%"
            conditions.append("""
                (c.contact_name LIKE ?1 ESCAPE '\\' OR c.contact_id LIKE ?1 ESCAPE '\\'
                 OR c.contact_username LIKE ?1 ESCAPE '\\' OR c.contact_user_id LIKE ?1 ESCAPE '\\'
                 OR c.group_name LIKE ?1 ESCAPE '\\'
                 OR EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id AND m.content LIKE ?1 ESCAPE '\\'))
                """.replacingOccurrences(of: "?1", with: "?"))
            arguments += StatementArguments(Array(repeating: pattern, count: 6))
        }
        let sql = """
            SELECT c.*, i.name AS instance_name, i.phone_number AS instance_phone
            FROM conversations c JOIN instances i ON i.id = c.instance_id
            WHERE \(conditions.joined(separator: " AND "))
            ORDER BY c.last_message_at DESC, c.id DESC
            LIMIT \(limit + 1)
            """
        return try pool.read { db in
            let rows = try Row.fetchAll(db, sql: sql, arguments: arguments)
            let pageRows = rows.prefix(limit)
            let conversations = try pageRows.map(ConversationRecord.init(row:))
            let tags = try Self.tags(db, conversationIDs: conversations.map(\.id))
            let items = zip(pageRows, conversations).map { row, conversation in
                InboxConversation(conversation: conversation, instanceName: row["instance_name"],
                                  instancePhoneNumber: row["instance_phone"], tags: tags[conversation.id] ?? [])
            }
            let next = rows.count > limit ? conversations.last.map { InboxCursor(of: $0).text } : nil
            return Page(items: items, nextCursor: next)
        }
    }

    /// One conversation of the company, with its instance and tags; another company's is not found.
    public func conversation(id: ConversationID, companyID: Int64) throws -> InboxConversation {
        let found: InboxConversation? = try pool.read { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT c.*, i.name AS instance_name, i.phone_number AS instance_phone
                FROM conversations c JOIN instances i ON i.id = c.instance_id
                WHERE c.id = ? AND c.company_id = ?
                """, arguments: [id, companyID]) else { return nil }
            let conversation = try ConversationRecord(row: row)
            return InboxConversation(conversation: conversation, instanceName: row["instance_name"],
                                     instancePhoneNumber: row["instance_phone"],
                                     tags: try Self.tags(db, conversationIDs: [id])[id] ?? [])
        }
        guard let found else { throw StoreError.notFound(kind: "conversation", id: String(id)) }
        return found
    }

    /// The messages of a conversation of the company, oldest first, after `afterID`.
    /// - Parameters:
    ///   - conversationID: the conversation; another company's is not found.
    ///   - afterID: the last message id of the previous page, nil for the start.
    ///   - limit: page size, 1...1000.
    public func messages(conversationID: ConversationID, companyID: Int64, afterID: MessageRowID? = nil,
                         limit: Int = 200) throws -> [MessageRecord] {
        let limit = min(max(limit, 1), 1000)
        return try pool.read { db in
            guard try Int.fetchOne(db, sql: "SELECT 1 FROM conversations WHERE id = ? AND company_id = ?",
                                   arguments: [conversationID, companyID]) != nil else {
                throw StoreError.notFound(kind: "conversation", id: String(conversationID))
            }
            return try MessageRecord.fetchAll(db, sql: """
                SELECT * FROM messages WHERE conversation_id = ? AND id > ? ORDER BY id LIMIT ?
                """, arguments: [conversationID, afterID ?? 0, limit])
        }
    }

    /// Sets a conversation's unread count to zero, when an operator opened it.
    public func markConversationRead(id: ConversationID, companyID: Int64) throws {
        try pool.write { db in
            try db.execute(sql: "UPDATE conversations SET unread_count = 0 WHERE id = ? AND company_id = ?",
                           arguments: [id, companyID])
            if db.changesCount == 0 { throw StoreError.notFound(kind: "conversation", id: String(id)) }
        }
    }

    /// A message by its WhatsApp (or provider) id on one instance.
    public func message(instanceID: InstanceID, whatsappID: String) throws -> MessageRecord? {
        try pool.read { db in
            try MessageRecord.fetchOne(db, sql: "SELECT * FROM messages WHERE instance_id = ? AND whatsapp_message_id = ?",
                                       arguments: [instanceID, whatsappID])
        }
    }

    /// The conversations of one instance, for the session layer and tests (not company-scoped).
    public func conversations(instanceID: InstanceID) throws -> [ConversationRecord] {
        try pool.read { db in
            try ConversationRecord.fetchAll(db, sql: "SELECT * FROM conversations WHERE instance_id = ? ORDER BY id",
                                            arguments: [instanceID])
        }
    }

    static func tags(_ db: Database, conversationIDs: [ConversationID]) throws -> [ConversationID: [String]] {
        guard !conversationIDs.isEmpty else { return [:] }
        let marks = Array(repeating: "?", count: conversationIDs.count).joined(separator: ",")
        var result: [ConversationID: [String]] = [:]
        for row in try Row.fetchAll(db, sql: """
            SELECT ct.conversation_id, t.name FROM conversation_tags ct JOIN tags t ON t.id = ct.tag_id
            WHERE ct.conversation_id IN (\(marks)) ORDER BY t.name
            """, arguments: StatementArguments(conversationIDs)) {
            result[row["conversation_id"], default: []].append(row["name"])
        }
        return result
    }
}

/// Where a page of the inbox ends: `last_message_at` and id of its last row.
struct InboxCursor {
    var lastMessageAt: Double
    var id: Int64

    init(of conversation: ConversationRecord) {
        lastMessageAt = conversation.lastMessageAt?.storeTime ?? 0; id = conversation.id
    }

    init?(_ text: String) {
        let parts = text.split(separator: "_")
        guard parts.count == 2, let time = Double(parts[0]), let id = Int64(parts[1]) else { return nil }
        lastMessageAt = time; self.id = id
    }

    var text: String { "\(lastMessageAt)_\(id)" }
}
