import CRMCore
import Foundation
import Lua

/// What one event's handlers have asked for so far, and what they may read:
/// the context plus their own pending writes. It dies with the event; its
/// actions leave only if every handler returned.
final class EventScope {
    let context: ScriptContext
    let caps: ScriptCaps
    private(set) var actions: [ScriptAction] = []
    /// Set when a cap was hit, even if the script caught the error: the event fails.
    private(set) var limitFailure: String?
    private var sends = 0
    private var pendingKV: [String: JSONValue?] = [:]

    init(context: ScriptContext, caps: ScriptCaps) {
        self.context = context
        self.caps = caps
    }

    var instanceName: String { context.instance.name }

    /// Records an action, or throws when the event asked for too many.
    func record(_ action: ScriptAction, function: String) throws(LuaError) {
        if case .send = action {
            guard sends < caps.sendsPerEvent else {
                throw limit("\(function): too many sends in one event (the limit is \(caps.sendsPerEvent))")
            }
            sends += 1
        }
        guard actions.count < caps.actionsPerEvent else {
            throw limit("\(function): too many actions in one event (the limit is \(caps.actionsPerEvent))")
        }
        if case .kvSet(let key, let value) = action { pendingKV[key] = .some(value) }
        actions.append(action)
    }

    /// A cap was exceeded: remembered so the event fails even if the script catches it.
    func limit(_ message: String) -> LuaError {
        if limitFailure == nil { limitFailure = message }
        return LuaError(kind: .runtime, message: message)
    }

    /// The value a read sees: this event's own write when there is one, else the stored one.
    func kv(_ key: String) -> JSONValue? {
        if let pending = pendingKV[key] { return pending }
        return context.kv(key)
    }

    /// The conversation, or the Lua error every function gives for another instance's.
    func conversation(_ id: ConversationID) throws(LuaError) -> ConversationView {
        guard var view = context.conversation(id) else { throw notOwned(id) }
        for action in actions {
            switch action {
            case .tag(id, let tag) where !view.tags.contains(tag): view.tags.append(tag)
            case .untag(id, let tag): view.tags.removeAll { $0 == tag }
            case .assign(id, let queue): view.assignee = queue
            default: break
            }
        }
        return view
    }

    /// Checks that the conversation is the instance's own, without building its
    /// view: what functions that only act on it (send, reply, tag) need.
    func requireOwned(_ id: ConversationID) throws(LuaError) {
        guard context.owns(id) else { throw notOwned(id) }
    }

    private func notOwned(_ id: ConversationID) -> LuaError {
        LuaError(kind: .runtime, message: "conversation \(id) does not belong to instance \(instanceName)")
    }
}
