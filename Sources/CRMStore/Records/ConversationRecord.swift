import CRMCore
import Foundation
import GRDB

/// A conversation of one instance with one contact or group (SPEC §3).
public struct ConversationRecord: Sendable, Equatable, FetchableRecord {
    public var id: ConversationID
    public var instanceID: InstanceID
    public var companyID: Int64
    /// The phone digits when known, else the business-scoped user id; the group id for groups.
    public var contactID: String
    public var contactPhone: String?
    public var contactUserID: String?
    public var contactUsername: String?
    public var contactName: String?
    public var isGroup: Bool
    public var groupName: String?
    public var lastMessageAt: Date
    public var lastInboundAt: Date?
    public var lastOperatorReplyAt: Date?
    public var unreadCount: Int
    public var assignee: String?
    public var createdAt: Date

    /// The columns `init(row:)` reads, in its order. Rows are decoded by
    /// position: looking columns up by name costs more than the query on the
    /// inbox's hot path.
    static let columnNames = ["id", "instance_id", "company_id", "contact_id", "contact_phone", "contact_user_id",
                              "contact_username", "contact_name", "is_group", "group_name", "last_message_at",
                              "last_inbound_at", "last_operator_reply_at", "unread_count", "assignee", "created_at"]
    static let columns = columns(of: nil)

    /// The column list for a SELECT, each qualified by `table` when given.
    static func columns(of table: String?) -> String {
        columnNames.map { name in table.map { "\($0).\(name)" } ?? name }.joined(separator: ", ")
    }

    /// A row that starts with `columns`; more columns may follow.
    public init(row: Row) { self.init(columns: row) }

    /// A row that starts with `columns`, from GRDB or stepped directly.
    init(columns row: some PositionalRow) {
        id = row[column: 0]; instanceID = row[column: 1]; companyID = row[column: 2]; contactID = row[column: 3]
        contactPhone = row[column: 4]; contactUserID = row[column: 5]; contactUsername = row[column: 6]
        contactName = row[column: 7]; isGroup = row[column: 8]; groupName = row[column: 9]
        lastMessageAt = Date(storageSeconds: row[column: 10])
        lastInboundAt = (row[column: 11] as Double?).map(Date.init(storageSeconds:))
        lastOperatorReplyAt = (row[column: 12] as Double?).map(Date.init(storageSeconds:))
        unreadCount = row[column: 13]; assignee = row[column: 14]
        createdAt = Date(storageSeconds: row[column: 15])
    }

    /// Who owns it and where replies go.
    var route: ReplyRoute {
        ReplyRoute(conversation: id, instanceID: instanceID, isGroup: isGroup, contactID: contactID, phone: contactPhone,
                   userID: contactUserID, lastInboundAt: lastInboundAt?.storageSeconds)
    }

    func view(tags: [String]) -> ConversationView {
        ConversationView(id: id, contactID: contactID,
                         contact: ContactIdentity(phone: contactPhone, userID: contactUserID, username: contactUsername),
                         contactName: contactName, isGroup: isGroup, groupName: groupName, assignee: assignee,
                         tags: tags, unreadCount: unreadCount, lastMessageAt: lastMessageAt,
                         lastInboundAt: lastInboundAt, lastOperatorReplyAt: lastOperatorReplyAt)
    }

    static func fetch(_ db: Database, id: ConversationID) throws -> ConversationRecord? {
        try fetchOne(db, cachedSQL: "SELECT \(columns) FROM conversations WHERE id = ?", arguments: [id])
    }

    /// The tags of many conversations in one query, each list sorted by name;
    /// inside a transaction of `reader`.
    static func tags(_ reader: ReadConnection, conversations: [ConversationID]) throws -> [ConversationID: [String]] {
        guard !conversations.isEmpty else { return [:] }
        let placeholders = String(repeating: "?,", count: conversations.count - 1) + "?"
        let rows = try DirectStatement(reader, sql: """
            SELECT conversation_tags.conversation_id, tags.name
            FROM conversation_tags JOIN tags ON tags.id = conversation_tags.tag_id
            WHERE conversation_tags.conversation_id IN (\(placeholders)) ORDER BY tags.name
            """).fetchAll(arguments: conversations) { row in (row[column: 0] as ConversationID, row[column: 1] as String) }
        var tags: [ConversationID: [String]] = [:]
        for (conversation, name) in rows { tags[conversation, default: []].append(name) }
        return tags
    }

    static func tags(_ db: Database, conversation: ConversationID) throws -> [String] {
        try String.fetchAll(db.cachedStatement(sql: """
            SELECT tags.name FROM conversation_tags JOIN tags ON tags.id = conversation_tags.tag_id
            WHERE conversation_tags.conversation_id = ? ORDER BY tags.name
            """), arguments: [conversation])
    }
}

/// A conversation as the inbox lists it: with the instance it came through
/// ("via (11) 99999-8888") and its tags.
public struct InboxConversation: Sendable, Equatable {
    public var conversation: ConversationRecord
    public var instanceName: String
    public var instancePhone: String?
    public var tags: [String]
}
