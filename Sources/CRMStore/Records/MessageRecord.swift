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

    /// The columns `init(row:)` reads, in its order (rows are decoded by position).
    static let columns = """
        id, instance_id, conversation_id, whatsapp_message_id, direction, sender, content, media_url, media_type, \
        status, reason, created_at
        """

    /// A message as this process has just written it, so it need not be read back.
    init(id: MessageRowID, instanceID: InstanceID, conversationID: ConversationID, whatsappID: String?,
         direction: Direction, sender: String?, content: String, mediaURL: String?, mediaType: String?,
         status: DeliveryStatus?, reason: String? = nil, createdAt: Date) {
        self.id = id; self.instanceID = instanceID; self.conversationID = conversationID
        self.whatsappID = whatsappID; self.direction = direction; self.sender = sender; self.content = content
        self.mediaURL = mediaURL; self.mediaType = mediaType; self.status = status; self.reason = reason
        self.createdAt = createdAt
    }

    /// A row that starts with `columns`.
    public init(row: Row) { self.init(columns: row) }

    /// A row that starts with `columns`, from GRDB or stepped directly.
    init(columns row: some PositionalRow) {
        id = row[column: 0]; instanceID = row[column: 1]; conversationID = row[column: 2]
        whatsappID = row[column: 3]
        direction = Direction(rawValue: row[column: 4]) ?? .inbound
        sender = row[column: 5]; content = row[column: 6]; mediaURL = row[column: 7]; mediaType = row[column: 8]
        status = (row[column: 9] as String?).flatMap(DeliveryStatus.init(rawValue:))
        reason = row[column: 10]; createdAt = Date(storageSeconds: row[column: 11])
    }

    static func fetch(_ db: Database, id: MessageRowID) throws -> MessageRecord? {
        try fetchOne(db, cachedSQL: "SELECT \(columns) FROM messages WHERE id = ?", arguments: [id])
    }
}
