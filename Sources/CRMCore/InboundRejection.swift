import Foundation

/// Why the pipeline refused an inbound message. Nothing of it was stored, and
/// the connector should answer its source with this (e.g. 404, 409, 413, 400).
public enum InboundRejection: Error, Sendable, Equatable, CustomStringConvertible {
    /// No instance has this id.
    case unknownInstance(InstanceID)
    /// The instance exists but is not `CONNECTED`: it cannot be receiving messages.
    case instanceNotConnected(InstanceID, status: InstanceStatus)
    /// The text is longer than `InboundRejection.maximumTextBytes` bytes of UTF-8.
    case textTooLong(bytes: Int, limit: Int)
    /// The text's bytes are not valid UTF-8.
    case invalidUTF8
    /// A required field is missing or empty: the WhatsApp id, or a contact with a phone or user id.
    case missingField(String)

    /// 64 KiB: far above WhatsApp's own 4,096 characters, low enough to keep a row small.
    public static let maximumTextBytes = 64 * 1024

    public var description: String {
        switch self {
        case .unknownInstance(let id): return "no instance has the id \(id)"
        case .instanceNotConnected(let id, let status): return "instance \(id) is \(status.rawValue), not CONNECTED"
        case .textTooLong(let bytes, let limit): return "the text has \(bytes) bytes; the limit is \(limit)"
        case .invalidUTF8: return "the text is not valid UTF-8"
        case .missingField(let field): return "\(field) is missing"
        }
    }

    /// Decodes a message text received as bytes, refusing invalid UTF-8 and
    /// oversized texts instead of repairing or truncating them.
    public static func text(fromUTF8 bytes: some Collection<UInt8>) throws(InboundRejection) -> String {
        guard bytes.count <= maximumTextBytes else { throw .textTooLong(bytes: bytes.count, limit: maximumTextBytes) }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw .invalidUTF8 }
        return text
    }
}

extension InboundMessage {
    /// The checks a message passes before anything of it is written.
    public func validate() throws(InboundRejection) {
        if whatsappID.isEmpty { throw .missingField("the message's WhatsApp id") }
        if let group {
            if group.id.isEmpty { throw .missingField("the group's id") }
        } else if contact.contactID?.isEmpty ?? true {
            throw .missingField("the contact's phone or user id")
        }
        let bytes = text.utf8.count
        if bytes > InboundRejection.maximumTextBytes {
            throw .textTooLong(bytes: bytes, limit: InboundRejection.maximumTextBytes)
        }
    }
}
