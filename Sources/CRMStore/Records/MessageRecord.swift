import CRMCore
import Foundation
import GRDB

/// A stored message, inbound or outbound (SPEC §3).
public struct MessageRecord: Sendable, Equatable, FetchableRecord, TableRecord {
    public static let databaseTableName = "messages"
    public enum Direction: String, Sendable { case inbound = "in", outbound = "out" }

    public var id: MessageRowID
    public var conversationID: ConversationID
    public var instanceID: InstanceID
    /// WhatsApp's id: the inbound id, or the provider's id once a send is accepted.
    public var whatsappMessageID: String?
    public var direction: Direction
    /// In a group, the member who wrote; nil for one-to-one inbound and for our sends.
    public var sender: String?
    public var content: String
    public var mediaURL: String?
    public var mediaType: String?
    /// `received` for inbound; `queued`, `sent`, `delivered`, `read` or `failed` for ours.
    public var status: String
    /// Why a send failed.
    public var reason: String?
    public var createdAt: Date

    public init(row: Row) throws {
        id = row["id"]; conversationID = row["conversation_id"]; instanceID = row["instance_id"]
        whatsappMessageID = row["whatsapp_message_id"]
        let directionText: String = row["direction"]
        direction = Direction(rawValue: directionText) ?? .inbound
        sender = row["sender"]; content = row["content"]; mediaURL = row["media_url"]; mediaType = row["media_type"]
        status = row["status"]; reason = row["reason"]; createdAt = Date(storeTime: row["created_at"])
    }
}
