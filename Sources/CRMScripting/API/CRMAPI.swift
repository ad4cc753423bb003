import CRMCore
import Foundation
import Lua

/// The `crm` table of SPEC §6: host functions that read the event's context and
/// record actions in its scope. Every function that names a conversation checks
/// that it belongs to the instance running the script.
struct CRMAPI {
    /// The scope of the event in flight; nil while `main.lua` loads.
    final class Binding {
        var scope: EventScope?
        var instanceName: String
        let log: ScriptLogSink
        let caps: ScriptCaps
        /// Log lines written since the event (or the load) began.
        var logLines = 0
        init(instanceName: String, caps: ScriptCaps, log: @escaping ScriptLogSink) {
            self.instanceName = instanceName
            self.caps = caps
            self.log = log
        }
    }

    let binding: Binding

    func install(on state: LuaState) {
        installMessages(on: state)
        installConversations(on: state)
        installStorage(on: state)
        installUtilities(on: state)
    }

    /// The event's scope, or the error a script gets for acting while it loads.
    func scope(_ function: String) throws(LuaError) -> EventScope {
        guard let scope = binding.scope else {
            throw LuaError(kind: .runtime, message: "\(function) can only be called while handling an event, not while the script loads")
        }
        return scope
    }

    static func conversationID(_ arguments: LuaArguments, _ position: Int, function: String) throws(LuaError) -> ConversationID {
        let value = try arguments.value(position)
        guard let id = value.integerValue else {
            throw LuaError(kind: .runtime, message: "bad argument #\(position) to '\(function)' (conversation id expected, got \(value.typeName))")
        }
        return id
    }

    /// A tag, queue, key or timer name: non-empty text within the cap.
    static func name(_ arguments: LuaArguments, _ position: Int, function: String, what: String,
                     caps: ScriptCaps) throws(LuaError) -> String {
        let value = try arguments.value(position)
        guard let text = value.stringValue, !text.isEmpty else {
            throw LuaError(kind: .runtime, message: "bad argument #\(position) to '\(function)' (\(what) expected, got \(value.typeName))")
        }
        guard text.utf8.count <= caps.nameBytes else {
            throw LuaError(kind: .runtime, message: "bad argument #\(position) to '\(function)' (\(what) longer than \(caps.nameBytes) bytes)")
        }
        return text
    }
}
