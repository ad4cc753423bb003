import CRMCore
import CRMStore

/// Why the pipeline refused an inbound message. Nothing of it was stored; the
/// text says what the sender (a connector, the simulator, a webhook) must fix.
public enum InboundRejection: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownInstance(InstanceID)
    case instanceNotConnected(InstanceID, status: InstanceStatus)
    case textTooLong(whatsappID: String, bytes: Int, limit: Int)
    case invalidUTF8(field: String)
    case missingWhatsAppID(InstanceID)
    case missingContact(whatsappID: String)
    /// The pipeline was stopped before the message was committed: deliver it again.
    case stopped
    /// The database refused the write (disk full, I/O error): deliver it again later.
    case storageFailed(String)
    /// `limit` events already wait to be stored: deliver it again in a moment.
    case overloaded(limit: Int)

    public var description: String {
        switch self {
        case .unknownInstance(let id): return "instance \(id) does not exist"
        case .instanceNotConnected(let id, let status):
            return "instance \(id) is \(status.rawValue); messages are taken only while it is CONNECTED"
        case .textTooLong(let id, let bytes, let limit):
            return "message \(id) has \(bytes) bytes of text; the limit is \(limit)"
        case .invalidUTF8(let field): return "\(field) is not valid UTF-8"
        case .missingWhatsAppID(let id): return "a message to instance \(id) carries no WhatsApp message id"
        case .missingContact(let id): return "message \(id) names no contact: it needs a phone, a user id or a group"
        case .stopped: return "the host is stopping; the message was not stored, deliver it again"
        case .storageFailed(let reason): return "the message could not be stored (\(reason)); deliver it again later"
        case .overloaded(let limit):
            return "the host has \(limit) events waiting to be stored and takes no more for now; deliver it again in a moment"
        }
    }

    /// Decodes text a connector received as bytes, refusing invalid UTF-8
    /// instead of silently replacing it.
    /// - Parameter field: named in the error, e.g. `text`.
    public static func decodeUTF8(_ bytes: some Collection<UInt8>, field: String = "text") throws(InboundRejection) -> String {
        guard let text = String(validating: bytes, as: UTF8.self) else { throw .invalidUTF8(field: field) }
        return text
    }

    init?(_ error: StoreError) {
        switch error {
        case .instanceNotFound(let id): self = .unknownInstance(id)
        case .instanceNotConnected(let id, let status): self = .instanceNotConnected(id, status: status)
        case .missingContact(let id): self = .missingContact(whatsappID: id)
        default: return nil
        }
    }
}
