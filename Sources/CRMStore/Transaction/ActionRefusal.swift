import CRMCore
import Foundation

/// Why a script's action, or an API send, was refused. The event's actions are
/// then undone as a whole and the refusal is recorded as a script error.
public enum ActionRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    /// The conversation does not exist or belongs to another instance (SPEC §2.2–2.3).
    case conversationNotOfInstance(ConversationID, instanceID: InstanceID)
    /// A send with neither text, media nor template.
    case emptyMessage(ConversationID)
    /// A send's text is over the limit.
    case textTooLong(ConversationID, bytes: Int, limit: Int)
    /// A kv key or tag name is empty or too long.
    case invalidName(String)

    public var description: String {
        switch self {
        case .conversationNotOfInstance(let id, let instance):
            return "conversation \(id) does not belong to instance \(instance); a reply is always sent by the instance that owns the conversation"
        case .emptyMessage(let id): return "the message to conversation \(id) has no text, media or template"
        case .textTooLong(let id, let bytes, let limit): return "the message to conversation \(id) has \(bytes) bytes; the limit is \(limit)"
        case .invalidName(let name): return "\"\(name.prefix(40))\" is not a valid key or tag name (1 to 256 bytes)"
        }
    }
}
