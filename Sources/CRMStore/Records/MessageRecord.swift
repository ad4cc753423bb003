import CRMCore
import Foundation
import GRDB

/// One message, in or out, of a conversation (SPEC §3).
public struct MessageRecord: Sendable, Equatable, FetchableRecord {
    public enum Direction: String, Sendable { case inbound = "in", outbound = "out" }

    public var id: MessageRowID
    public var instanceID: InstanceID
    public var conversationID: ConversationID
    /// WhatsApp's id: the inbound message's, or the provider's once a send is confirmed.
    public var whatsappID: String?
    public var direction: Direction
    /// Who wrote it: the contact, the group member, or nil for our own sends.
    public var sender: String?
    public var content: String
    public var mediaURL: String?
    public var mediaType: String?
    /// Delivery state of sends; nil for inbound messages.
    public var status: DeliveryStatus?
    public var reason: String?
    public var createdAt: Date

    public init(row: Row) {
        id = row["id"]; instanceID = row["instance_id"]; conversationID = row["conversation_id"]
        whatsappID = row["whatsapp_message_id"]
        direction = Direction(rawValue: row["direction"]) ?? .inbound
        sender = row["sender"]; content = row["content"]; mediaURL = row["media_url"]; mediaType = row["media_type"]
        status = (row["status"] as String?).flatMap(DeliveryStatus.init(rawValue:))
        reason = row["reason"]; createdAt = Date(storageSeconds: row["created_at"])
    }

    static func fetch(_ db: Database, id: MessageRowID) throws -> MessageRecord? {
        try fetchOne(db, cachedSQL: "SELECT * FROM messages WHERE id = ?", arguments: [id])
    }
}
