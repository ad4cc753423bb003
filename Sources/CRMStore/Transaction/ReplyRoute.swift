import CRMCore
import GRDB

/// What a send needs of its conversation: the instance that owns it and the
/// address replies go to (the group, else the phone when known, else the user
/// id — SPEC §3).
///
/// Only an inbound message changes these (by linking identifiers, merging two
/// conversations, or moving `last_inbound_at`), so a transaction keeps the
/// route of each conversation it has seen and refreshes it whenever it stores
/// an inbound message: a reply then needs no read of the row the same event
/// has just written.
struct ReplyRoute: Sendable, Equatable {
    var conversation: ConversationID
    var instanceID: InstanceID
    var isGroup: Bool
    var to: String
    var toUserID: Bool
    /// The contact's identifiers as stored, for telling whether a message
    /// brings one to link.
    var phone: String?
    var userID: String?
    /// When the contact last wrote, as stored now: a send handed to its
    /// connector at once carries it (the Cloud API's 24-hour window).
    var lastInboundAt: Double?

    /// The columns `init(row:)` reads, in its order.
    static let columns = "id, instance_id, is_group, contact_id, contact_phone, contact_user_id, last_inbound_at"

    init(conversation: ConversationID, instanceID: InstanceID, isGroup: Bool, contactID: String, phone: String?,
         userID: String?, lastInboundAt: Double?) {
        self.conversation = conversation
        self.instanceID = instanceID
        self.isGroup = isGroup
        self.phone = phone
        self.userID = userID
        self.lastInboundAt = lastInboundAt
        if isGroup {
            (to, toUserID) = (contactID, false)
        } else if let phone {
            (to, toUserID) = (phone, false)
        } else {
            (to, toUserID) = (userID ?? contactID, userID != nil)
        }
    }

    /// A row that starts with `columns`.
    init(row: DirectRow) {
        self.init(conversation: row[column: 0], instanceID: row[column: 1], isGroup: row[column: 2],
                  contactID: row[column: 3], phone: row[column: 4], userID: row[column: 5],
                  lastInboundAt: row[column: 6])
    }

    static func fetch(_ db: Database, id: ConversationID) throws -> ReplyRoute? {
        try DirectStatement(db, sql: "SELECT \(columns) FROM conversations WHERE id = ?").fetchOne(id, read: Self.init)
    }
}
