import Foundation

/// An instance as its scripts see it (`crm.instance`).
public struct InstanceInfo: Sendable, Equatable {
    public var id: InstanceID
    public var name: String
    public var phoneNumber: String?
    public init(id: InstanceID, name: String, phoneNumber: String?) {
        self.id = id; self.name = name; self.phoneNumber = phoneNumber
    }
}

/// A read-only view of one of the instance's conversations (`crm.conversation`).
public struct ConversationView: Sendable, Equatable {
    public var id: ConversationID
    public var contactID: String
    public var contact: ContactIdentity
    public var contactName: String?
    public var isGroup: Bool
    public var groupName: String?
    public var assignee: String?
    public var tags: [String]
    public var unreadCount: Int
    public var lastMessageAt: Date?
    /// When the contact last wrote: the Cloud API's 24-hour window opens there.
    public var lastInboundAt: Date?
    /// When a person (an operator through the API or the inbox, not a script)
    /// last sent in this conversation: bots pause while a human is talking.
    public var lastOperatorReplyAt: Date?

    public init(id: ConversationID, contactID: String, contact: ContactIdentity, contactName: String?,
                isGroup: Bool, groupName: String?, assignee: String?, tags: [String], unreadCount: Int,
                lastMessageAt: Date?, lastInboundAt: Date?, lastOperatorReplyAt: Date? = nil) {
        self.id = id; self.contactID = contactID; self.contact = contact; self.contactName = contactName
        self.isGroup = isGroup; self.groupName = groupName; self.assignee = assignee; self.tags = tags
        self.unreadCount = unreadCount; self.lastMessageAt = lastMessageAt; self.lastInboundAt = lastInboundAt
        self.lastOperatorReplyAt = lastOperatorReplyAt
    }
}

/// What scripts may read of the world while they handle an event, always
/// scoped to one instance. The pipeline backs it with storage (plus the writes
/// of earlier events of the same batch); fixtures back it with memory.
public protocol ScriptContext {
    var instance: InstanceInfo { get }
    /// The clock scripts see (`crm.now`, `os.time`); fixed in fixture tests.
    var now: Date { get }
    func kv(_ key: String) -> JSONValue?
    /// nil when the conversation does not exist or belongs to another instance.
    func conversation(_ id: ConversationID) -> ConversationView?
    /// Whether the conversation exists and belongs to this instance: all that
    /// a send, a tag or an assignment needs to know, and cheaper to answer
    /// than the whole view.
    func owns(_ id: ConversationID) -> Bool
}

extension ScriptContext {
    public func owns(_ id: ConversationID) -> Bool { conversation(id) != nil }
}

/// Runs an instance's scripts on an event and returns their effects. The
/// pipeline depends on this, not on Lua.
public protocol ScriptHost: Sendable {
    func handle(_ event: ScriptEvent, context: ScriptContext) -> ScriptOutcome
}
