import Foundation

/// The JSON shapes of SPEC §8. Routes speak only these; the service behind them
/// maps its records to them.

/// An instance as the API shows it. Secrets never appear here.
public struct InstanceJSON: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var phone_number: String?
    public var status: String
    public var qr_code: String?
    public var connector: String
    public var created_at: Date
    public var updated_at: Date?

    public init(id: String, name: String, phone_number: String?, status: String, qr_code: String?,
                connector: String, created_at: Date, updated_at: Date? = nil) {
        self.id = id; self.name = name; self.phone_number = phone_number; self.status = status
        self.qr_code = qr_code; self.connector = connector; self.created_at = created_at; self.updated_at = updated_at
    }
}

/// The instance a conversation came through, for the "via (11) 99999-8888" label.
public struct InstanceRefJSON: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var phone_number: String?
    public init(id: String, name: String, phone_number: String?) {
        self.id = id; self.name = name; self.phone_number = phone_number
    }
}

public struct ConversationJSON: Codable, Sendable, Equatable {
    public var id: Int64
    public var instance: InstanceRefJSON
    public var contact_id: String
    public var contact_phone: String?
    public var contact_user_id: String?
    public var contact_username: String?
    public var contact_name: String?
    public var is_group: Bool
    public var group_name: String?
    public var last_message_at: Date?
    public var unread_count: Int
    public var tags: [String]
    public var assignee: String?

    public init(id: Int64, instance: InstanceRefJSON, contact_id: String, contact_phone: String?,
                contact_user_id: String?, contact_username: String?, contact_name: String?, is_group: Bool,
                group_name: String?, last_message_at: Date?, unread_count: Int, tags: [String], assignee: String?) {
        self.id = id; self.instance = instance; self.contact_id = contact_id; self.contact_phone = contact_phone
        self.contact_user_id = contact_user_id; self.contact_username = contact_username
        self.contact_name = contact_name; self.is_group = is_group; self.group_name = group_name
        self.last_message_at = last_message_at; self.unread_count = unread_count; self.tags = tags
        self.assignee = assignee
    }
}

public struct MessageJSON: Codable, Sendable, Equatable {
    public var id: Int64
    public var conversation_id: Int64
    public var whatsapp_message_id: String?
    public var direction: String
    public var sender: String?
    public var content: String
    public var media_url: String?
    public var media_type: String?
    public var status: String?
    public var reason: String?
    public var created_at: Date

    public init(id: Int64, conversation_id: Int64, whatsapp_message_id: String?, direction: String,
                sender: String?, content: String, media_url: String?, media_type: String?, status: String?,
                reason: String?, created_at: Date) {
        self.id = id; self.conversation_id = conversation_id; self.whatsapp_message_id = whatsapp_message_id
        self.direction = direction; self.sender = sender; self.content = content; self.media_url = media_url
        self.media_type = media_type; self.status = status; self.reason = reason; self.created_at = created_at
    }
}

/// Per instance: which bot version runs, since when, and its last error.
public struct ScriptStatusJSON: Codable, Sendable, Equatable {
    public var instance: InstanceRefJSON
    public var folder: String?
    public var version: String?
    public var loaded_at: Date?
    public var last_error: ScriptErrorJSON?
    public init(instance: InstanceRefJSON, folder: String?, version: String?, loaded_at: Date?, last_error: ScriptErrorJSON?) {
        self.instance = instance; self.folder = folder; self.version = version; self.loaded_at = loaded_at
        self.last_error = last_error
    }
}

public struct ScriptErrorJSON: Codable, Sendable, Equatable {
    public var message: String
    public var file: String?
    public var line: Int?
    public var at: Date
    public init(message: String, file: String?, line: Int?, at: Date) {
        self.message = message; self.file = file; self.line = line; self.at = at
    }
}

/// A page of a list: `{"items": [...], "next_cursor": ...}`.
public struct PageJSON<Item: Codable & Sendable & Equatable>: Codable, Sendable, Equatable {
    public var items: [Item]
    public var next_cursor: String?
    public init(items: [Item], next_cursor: String?) { self.items = items; self.next_cursor = next_cursor }
}

/// The filters of `GET /api/conversations`.
public struct ConversationQuery: Sendable, Equatable {
    public var instanceID: String?
    public var tag: String?
    public var assignee: String?
    public var text: String?
    public var cursor: String?
    public var limit: Int
    public init(instanceID: String? = nil, tag: String? = nil, assignee: String? = nil, text: String? = nil,
                cursor: String? = nil, limit: Int = 50) {
        self.instanceID = instanceID; self.tag = tag; self.assignee = assignee; self.text = text
        self.cursor = cursor; self.limit = limit
    }
}

/// One simulated-network message as a contact received it (SPEC §12).
public struct SimDeliveryJSON: Codable, Sendable, Equatable {
    public var id: String
    public var from: String
    public var to: String
    public var text: String
    public var at: Date
    public init(id: String, from: String, to: String, text: String, at: Date) {
        self.id = id; self.from = from; self.to = to; self.text = text; self.at = at
    }
}

/// The API's JSON keeps every documented field: an unknown value is `null`,
/// never a missing key (the synthesized encoders of this module use this).
extension KeyedEncodingContainer {
    mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws { try encode(value, forKey: key) }
    mutating func encodeIfPresent(_ value: String?, forKey key: Key) throws { try encode(value, forKey: key) }
    mutating func encodeIfPresent(_ value: Int?, forKey key: Key) throws { try encode(value, forKey: key) }
    mutating func encodeIfPresent(_ value: Int64?, forKey key: Key) throws { try encode(value, forKey: key) }
    mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) throws { try encode(value, forKey: key) }
}
