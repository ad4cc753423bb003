import CRMCore

/// What storage refuses, saying what the caller must fix. Anything of another
/// company or instance is `notFound`, exactly as if it did not exist.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    case companyNotFound(Int64)
    case apiKeyNotFound(Int64)
    case instanceNotFound(InstanceID)
    case conversationNotFound(ConversationID)
    /// Messages are taken only while the instance is `CONNECTED`.
    case instanceNotConnected(InstanceID, status: InstanceStatus)
    /// An inbound message with neither a phone, a user id nor a group.
    case missingContact(String)
    /// SPEC §2 point 4: the number is connected on another instance; nothing of it changed.
    case phoneInUse(phone: String, heldBy: InstanceID)
    /// A cursor string that this store did not hand out.
    case invalidCursor(String)
    /// A script or an API call named a conversation of another instance.
    case conversationOfAnotherInstance(conversation: ConversationID, instance: InstanceID)
    case emptyMessage(ConversationID)

    public var description: String {
        switch self {
        case .companyNotFound(let id): return "company \(id) not found"
        case .apiKeyNotFound(let id): return "API key \(id) not found or already revoked"
        case .instanceNotFound(let id): return "instance \(id) not found"
        case .conversationNotFound(let id): return "conversation \(id) not found"
        case .instanceNotConnected(let id, let status):
            return "instance \(id) is \(status.rawValue), not CONNECTED; connect it before it can take messages"
        case .missingContact(let id): return "message \(id) names no contact: it needs a phone, a user id or a group"
        case .phoneInUse(let phone, let holder):
            return "phone number \(phone) is already connected on instance \(holder); log it out there first"
        case .invalidCursor(let cursor): return "cursor '\(cursor)' is not valid; use the next_cursor of a previous page"
        case .conversationOfAnotherInstance(let conversation, let instance):
            return "conversation \(conversation) does not belong to instance \(instance); replies leave only from the owning number"
        case .emptyMessage(let id): return "message to conversation \(id) has no text, media or template"
        }
    }
}
