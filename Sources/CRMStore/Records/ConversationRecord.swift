import CRMCore
import Foundation
import GRDB

/// A conversation of one instance with one contact or group (SPEC §3).
public struct ConversationRecord: Sendable, Equatable, FetchableRecord, TableRecord {
    public static let databaseTableName = "conversations"
    public var id: ConversationID
    public var instanceID: InstanceID
    public var companyID: Int64
    /// Phone digits when known, else the user id; the group id for groups.
    public var contactID: String
    public var contactPhone: String?
    public var contactUserID: String?
    public var contactUsername: String?
    public var contactName: String?
    public var isGroup: Bool
    public var groupName: String?
    public var lastMessageAt: Date?
    public var lastInboundAt: Date?
    public var unreadCount: Int
    public var assignee: String?
    public var createdAt: Date

    public init(row: Row) throws {
        id = row["id"]; instanceID = row["instance_id"]; companyID = row["company_id"]
        contactID = row["contact_id"]; contactPhone = row["contact_phone"]; contactUserID = row["contact_user_id"]
        contactUsername = row["contact_username"]; contactName = row["contact_name"]
        isGroup = row["is_group"]; groupName = row["group_name"]
        lastMessageAt = (row["last_message_at"] as Double?).map(Date.init(storeTime:))
        lastInboundAt = (row["last_inbound_at"] as Double?).map(Date.init(storeTime:))
        unreadCount = row["unread_count"]; assignee = row["assignee"]
        createdAt = Date(storeTime: row["created_at"])
    }

    public var contact: ContactIdentity {
        ContactIdentity(phone: contactPhone, userID: contactUserID, username: contactUsername)
    }

    /// Where replies go: the group, else the phone when known, else the user id.
    public var replyAddress: String { isGroup ? contactID : (contactPhone ?? contactUserID ?? contactID) }

    func view(tags: [String]) -> ConversationView {
        ConversationView(id: id, contactID: contactID, contact: contact, contactName: contactName, isGroup: isGroup,
                         groupName: groupName, assignee: assignee, tags: tags, unreadCount: unreadCount,
                         lastMessageAt: lastMessageAt, lastInboundAt: lastInboundAt)
    }
}

/// A conversation row of the unified inbox: with its instance and tags.
public struct InboxConversation: Sendable, Equatable {
    public var conversation: ConversationRecord
    public var instanceName: String
    public var instancePhoneNumber: String?
    public var tags: [String]
}
