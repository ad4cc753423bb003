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

    public init(row: Row) {
        id = row["id"]; instanceID = row["instance_id"]; companyID = row["company_id"]; contactID = row["contact_id"]
        contactPhone = row["contact_phone"]; contactUserID = row["contact_user_id"]
        contactUsername = row["contact_username"]; contactName = row["contact_name"]
        isGroup = row["is_group"]; groupName = row["group_name"]
        lastMessageAt = Date(storageSeconds: row["last_message_at"])
        lastInboundAt = (row["last_inbound_at"] as Double?).map(Date.init(storageSeconds:))
        lastOperatorReplyAt = (row["last_operator_reply_at"] as Double?).map(Date.init(storageSeconds:))
        unreadCount = row["unread_count"]; assignee = row["assignee"]
        createdAt = Date(storageSeconds: row["created_at"])
    }

    /// Where replies go: the group, else the phone when known, else the user id (SPEC §3).
    var replyAddress: (to: String, isUserID: Bool) {
        if isGroup { return (contactID, false) }
        if let contactPhone { return (contactPhone, false) }
        return (contactUserID ?? contactID, contactUserID != nil)
    }

    func view(tags: [String]) -> ConversationView {
        ConversationView(id: id, contactID: contactID,
                         contact: ContactIdentity(phone: contactPhone, userID: contactUserID, username: contactUsername),
                         contactName: contactName, isGroup: isGroup, groupName: groupName, assignee: assignee,
                         tags: tags, unreadCount: unreadCount, lastMessageAt: lastMessageAt,
                         lastInboundAt: lastInboundAt, lastOperatorReplyAt: lastOperatorReplyAt)
    }

    static func fetch(_ db: Database, id: ConversationID) throws -> ConversationRecord? {
        try fetchOne(db, cachedSQL: "SELECT * FROM conversations WHERE id = ?", arguments: [id])
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
