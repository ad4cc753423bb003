import CRMCore
import GRDB

/// An inbound message's update of its conversation (names, times, one more
/// unread), held back while the event's scripts run, so that a reply in the
/// same conversation adds its time to it instead of writing the row, and its
/// two inbox indexes, a second time.
///
/// Only for a message whose identifiers its conversation already holds, which
/// most are: there is nothing to link, and the contact id is already the
/// phone when there is one, so the identifiers, and their three indexes, are
/// left alone too.
struct ConversationTouch {
    var conversation: ConversationID
    var username: String?
    var name: String?
    var inboundAt: Double
    var lastMessageAt: Double

    func write(_ db: Database) throws {
        try DirectStatement(db, sql: """
            UPDATE conversations SET
              contact_username = coalesce(?1, contact_username),
              contact_name = coalesce(?2, contact_name),
              last_message_at = max(last_message_at, ?3),
              last_inbound_at = max(coalesce(last_inbound_at, ?4), ?4),
              unread_count = unread_count + 1
            WHERE id = ?5
            """).execute(username, name, lastMessageAt, inboundAt, conversation)
    }
}
