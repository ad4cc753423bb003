import CRMCore
import GRDB

/// What a send needs of its conversation: the instance that owns it and the
/// address replies go to (the group, else the phone when known, else the user
/// id — SPEC §3).
///
/// Only an inbound message changes these (by linking identifiers or merging
/// two conversations), so a transaction keeps the route of each conversation
/// it has seen and refreshes it whenever it stores an inbound message: a reply
/// then needs no read of the row the same event has just written.
struct ReplyRoute: Sendable, Equatable {
    var conversation: ConversationID
    var instanceID: InstanceID
    var isGroup: Bool
    var to: String
    var toUserID: Bool

    /// The columns `init(row:)` reads, in its order; also the `RETURNING` list
    /// of the statements that write them.
    static let columns = "id, instance_id, is_group, contact_id, contact_phone, contact_user_id"

    init(conversation: ConversationID, instanceID: InstanceID, isGroup: Bool, contactID: String, phone: String?,
         userID: String?) {
        self.conversation = conversation
        self.instanceID = instanceID
        self.isGroup = isGroup
        if isGroup {
            (to, toUserID) = (contactID, false)
        } else if let phone {
            (to, toUserID) = (phone, false)
        } else {
            (to, toUserID) = (userID ?? contactID, userID != nil)
        }
    }

    /// A row that starts with `columns`.
    init(row: Row) {
        self.init(conversation: row[0], instanceID: row[1], isGroup: row[2], contactID: row[3], phone: row[4],
                  userID: row[5])
    }

    static func fetch(_ db: Database, id: ConversationID) throws -> ReplyRoute? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT \(columns) FROM conversations WHERE id = ?"), arguments: [id])
            .map(ReplyRoute.init(row:))
    }
}
