import Foundation

/// A message as a connector hands it to the pipeline: nothing stored yet.
public struct InboundMessage: Sendable, Equatable {
    public var instanceID: InstanceID
    /// WhatsApp's id of the message; redeliveries carry the same one.
    public var whatsappID: String
    /// The conversation's contact: the person, or for a group the group itself.
    public var contact: ContactIdentity
    public var contactName: String?
    /// For group messages: the group's id and name; `sender` is the member.
    public var group: GroupRef?
    public var sender: ContactIdentity?
    public var senderName: String?
    public var text: String
    public var media: Media?
    public var at: Date

    public init(instanceID: InstanceID, whatsappID: String, contact: ContactIdentity, contactName: String? = nil,
                group: GroupRef? = nil, sender: ContactIdentity? = nil, senderName: String? = nil,
                text: String, media: Media? = nil, at: Date = Date()) {
        self.instanceID = instanceID
        self.whatsappID = whatsappID
        self.contact = contact
        self.contactName = contactName
        self.group = group
        self.sender = sender
        self.senderName = senderName
        self.text = text
        self.media = media
        self.at = at
    }
}

public struct GroupRef: Hashable, Sendable, Codable {
    public var id: String
    public var name: String?
    public init(id: String, name: String?) { self.id = id; self.name = name }
}

public struct Media: Hashable, Sendable, Codable {
    /// image, audio, video, document, sticker, location, contacts…
    public var type: String
    public var url: String?
    public var mime: String?
    public var caption: String?
    public init(type: String, url: String? = nil, mime: String? = nil, caption: String? = nil) {
        self.type = type; self.url = url; self.mime = mime; self.caption = caption
    }
}

/// Delivery state of a message we sent (SPEC §5).
public enum DeliveryStatus: String, Sendable, Codable {
    case queued, sent, delivered, read, failed
}

/// What a script receives. Plain values: the scripting host turns them into Lua
/// tables, fixtures build them from YAML.
public enum ScriptEvent: Sendable, Equatable {
    case message(MessageEvent)
    case status(StatusEvent)
    case connection(ConnectionEvent)
    case timer(TimerEvent)

    /// The handler name scripts register with `on(name, fn)`.
    public var name: String {
        switch self {
        case .message: return "message"
        case .status: return "status"
        case .connection: return "connection"
        case .timer: return "timer"
        }
    }
}

public struct MessageEvent: Sendable, Equatable {
    public var whatsappID: String
    public var conversation: ConversationID
    public var contact: ContactIdentity
    public var name: String?
    public var text: String
    public var group: GroupRef?
    /// In a group: the member who wrote.
    public var sender: String?
    public var media: Media?
    public var at: Date

    public init(whatsappID: String, conversation: ConversationID, contact: ContactIdentity, name: String?,
                text: String, group: GroupRef? = nil, sender: String? = nil, media: Media? = nil, at: Date) {
        self.whatsappID = whatsappID
        self.conversation = conversation
        self.contact = contact
        self.name = name
        self.text = text
        self.group = group
        self.sender = sender
        self.media = media
        self.at = at
    }
}

public struct StatusEvent: Sendable, Equatable {
    /// The id the send got (outbox key or WhatsApp id).
    public var messageID: String
    public var conversation: ConversationID
    public var status: DeliveryStatus
    public var reason: String?
    public var at: Date
    public init(messageID: String, conversation: ConversationID, status: DeliveryStatus, reason: String? = nil, at: Date) {
        self.messageID = messageID; self.conversation = conversation; self.status = status; self.reason = reason; self.at = at
    }
}

public struct ConnectionEvent: Sendable, Equatable {
    public var status: InstanceStatus
    public var phoneNumber: String?
    public var reason: String?
    /// With status `QR`: the text the current pairing QR code encodes.
    public var qrCode: String?
    public init(status: InstanceStatus, phoneNumber: String?, reason: String? = nil, qrCode: String? = nil) {
        self.status = status; self.phoneNumber = phoneNumber; self.reason = reason; self.qrCode = qrCode
    }
}

public struct TimerEvent: Sendable, Equatable {
    public var name: String
    public var payload: JSONValue
    public var dueAt: Date
    public init(name: String, payload: JSONValue, dueAt: Date) {
        self.name = name; self.payload = payload; self.dueAt = dueAt
    }
}
