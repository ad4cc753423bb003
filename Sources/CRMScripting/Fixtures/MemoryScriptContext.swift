import CRMCore
import Foundation

/// A whole world for one instance's scripts, in memory: conversations, kv,
/// sends and timers. Fixture cases run against it; it applies actions the way
/// the pipeline commits them.
public final class MemoryScriptContext: ScriptContext {
    /// A message a script sent, as a fixture sees it.
    public struct Sent: Sendable, Equatable {
        public var conversation: ConversationID
        /// The conversation's contact id (or group id).
        public var to: String
        public var content: OutgoingContent
        public var at: Date
    }

    public var instance: InstanceInfo
    /// The fixed clock; fixtures move it with `advance`.
    public var now: Date
    /// The instance's kv entries.
    public var store: [String: JSONValue] = [:]
    public private(set) var conversations: [ConversationID: ConversationView] = [:]
    public private(set) var sent: [Sent] = []
    /// Timers not yet fired, in the order they were set.
    public private(set) var timers: [TimerEvent] = []
    private var byContact: [String: ConversationID] = [:]
    private var nextConversation: ConversationID = 1

    public init(instance: InstanceInfo, now: Date) {
        self.instance = instance
        self.now = now
    }

    public func kv(_ key: String) -> JSONValue? { store[key] }

    public func conversation(_ id: ConversationID) -> ConversationView? { conversations[id] }

    /// The conversation of a contact (or group) id, created on first use.
    public func conversation(contact: ContactIdentity, key: String, name: String?, group: GroupRef?) -> ConversationID {
        if let id = byContact[key] { return id }
        let id = nextConversation
        nextConversation += 1
        byContact[key] = id
        conversations[id] = ConversationView(id: id, contactID: key, contact: contact, contactName: group?.name ?? name,
                                             isGroup: group != nil, groupName: group?.name, assignee: nil, tags: [],
                                             unreadCount: 0, lastMessageAt: nil, lastInboundAt: nil)
        return id
    }

    /// The conversation id of a contact id seen before.
    public func conversationID(contact key: String) -> ConversationID? { byContact[key] }

    /// Records an inbound message on its conversation, as storage does before scripts run.
    public func received(in id: ConversationID, at: Date) {
        conversations[id]?.lastInboundAt = at
        conversations[id]?.lastMessageAt = at
        conversations[id]?.unreadCount += 1
    }

    /// Records a reply by a human operator (not a script).
    public func operatorReplied(in id: ConversationID, at: Date) {
        conversations[id]?.lastOperatorReplyAt = at
        conversations[id]?.lastMessageAt = at
        conversations[id]?.unreadCount = 0
    }

    /// Commits an event's actions.
    public func apply(_ actions: [ScriptAction]) {
        for action in actions {
            switch action {
            case .send(let id, let content):
                sent.append(Sent(conversation: id, to: conversations[id]?.contactID ?? String(id), content: content, at: now))
                conversations[id]?.lastMessageAt = now
            case .tag(let id, let tag):
                if conversations[id]?.tags.contains(tag) == false { conversations[id]?.tags.append(tag) }
            case .untag(let id, let tag):
                conversations[id]?.tags.removeAll { $0 == tag }
            case .assign(let id, let queue):
                conversations[id]?.assignee = queue
            case .kvSet(let key, let value):
                store[key] = value
            case .timer(let name, let payload, let dueAt):
                timers.append(TimerEvent(name: name, payload: payload, dueAt: dueAt))
            }
        }
    }

    /// Removes and returns the earliest timer due at or before `time`, if any.
    public func takeDueTimer(until time: Date) -> TimerEvent? {
        guard let index = timers.indices.filter({ timers[$0].dueAt <= time })
            .min(by: { timers[$0].dueAt < timers[$1].dueAt }) else { return nil }
        return timers.remove(at: index)
    }
}
