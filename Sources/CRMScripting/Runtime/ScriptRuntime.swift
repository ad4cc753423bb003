import CRMCore
import Foundation
import Lua

/// One loaded version of an instance's scripts: one sandboxed Lua state with
/// its handlers. Not thread-safe: its owner serialises events, and replaces it
/// only between two of them.
public final class ScriptRuntime {
    /// The files this version was built from; `sources.version` is its hash.
    public let sources: ScriptSources
    /// When this version finished loading, for `GET /api/scripts`.
    public let loadedAt: Date
    private let state: LuaState
    private let caps: ScriptCaps
    private let binding: CRMAPI.Binding
    private var dispatch: LuaReference?
    private var instance: InstanceInfo?
    /// Events some handler was registered for. Handlers are only ever added,
    /// so an event missing here has none, and costs no call into Lua: most
    /// bots never handle `status`, which every confirmed send raises.
    private var handledEvents: Set<String> = []

    /// Builds a fresh state from `sources` and runs `main.lua` under the load budget.
    /// - Parameters:
    ///   - sources: the version to load.
    ///   - instance: what `crm.instance` shows while loading; nil shows only the folder name.
    ///   - caps: limits of the state and of each event.
    ///   - log: where `crm.log` and `print` write.
    /// - Throws: `ScriptFailure` with file and line when a file does not compile or `main.lua` fails.
    public init(sources: ScriptSources, instance: InstanceInfo?, caps: ScriptCaps = ScriptCaps(),
                log: @escaping ScriptLogSink) throws(ScriptFailure) {
        guard let main = sources.files[sources.mainChunk] else {
            throw ScriptFailure(kind: "missing entry point", message: "\(sources.mainChunk) not found: every bot folder needs one",
                                file: sources.mainChunk)
        }
        self.sources = sources
        self.caps = caps
        self.loadedAt = Date()
        binding = CRMAPI.Binding(instanceName: instance?.name ?? sources.folder, caps: caps, log: log)
        do {
            state = try LuaState(limits: caps.lua)
        } catch {
            throw ScriptRuntime.failure(error)
        }
        let api = CRMAPI(binding: binding)
        api.install(on: state)
        update(instance: instance ?? InstanceInfo(id: "", name: sources.folder, phoneNumber: nil))
        do {
            let prelude = try state.load(ScriptPrelude.code, chunk: ScriptPrelude.chunk)
            _ = try state.call(prelude) { state in
                state.pushFunction { [unowned self] _, arguments throws(LuaError) in
                    guard arguments.isFunction(1) else {
                        throw LuaError(kind: .runtime, message: "the dispatcher must be a function")
                    }
                    self.dispatch = arguments.reference(1)
                    return []
                }
                state.pushFunction(api.replyFunction())
                state.pushFunction { _, arguments throws(LuaError) in
                    let name = try arguments.string(1, function: "require")
                    guard let module = sources.module(name) else {
                        let path = name.replacingOccurrences(of: ".", with: "/")
                        return [.nil, .text("module '\(name)' not found (looked for \(sources.folder)/\(path).lua, \(ScriptSources.sharedFolder)/\(path).lua and the standard library)")]
                    }
                    return [.text(module.code), .text(module.chunk)]
                }
                state.pushFunction { [unowned self] _, arguments throws(LuaError) in
                    self.handledEvents.insert(try arguments.string(1, function: "on"))
                    return []
                }
                return 4
            }
            state.release(prelude)
            let entry = try state.load(main, chunk: sources.mainChunk)
            _ = try state.call(entry, instructions: caps.loadInstructions)
            state.release(entry)
        } catch {
            throw ScriptRuntime.failure(error)
        }
        state.collectGarbage()
    }

    /// Runs the handlers registered for the event and returns what they asked
    /// for; all of it, or nothing with the failure when one errs or hits a limit.
    public func handle(_ event: ScriptEvent, context: ScriptContext) -> ScriptOutcome {
        guard let dispatch, handledEvents.contains(event.name) else { return .none }
        let scope = EventScope(context: context, caps: caps)
        binding.scope = scope
        binding.logLines = 0
        defer { binding.scope = nil }
        if context.instance != instance { update(instance: context.instance) }
        state.fixedClock = max(context.now.timeIntervalSince1970, 1)
        do {
            _ = try state.call(dispatch) { state in
                state.push(.text(event.name))
                LuaConversions.push(event, into: state)
                return 2
            }
        } catch {
            var failure = ScriptRuntime.failure(error)
            if scope.limitFailure != nil { failure.kind = "action limit" }
            return ScriptOutcome(failure: failure)
        }
        if let limit = scope.limitFailure {
            return ScriptOutcome(failure: ScriptFailure(kind: "action limit", message: limit, file: sources.mainChunk))
        }
        return ScriptOutcome(actions: scope.actions)
    }

    private func update(instance: InstanceInfo) {
        self.instance = instance
        binding.instanceName = instance.name
        state.setGlobal("instance", in: "crm", to: LuaConversions.table(for: instance))
    }

    static func failure(_ error: LuaError) -> ScriptFailure {
        ScriptFailure(kind: error.kind.rawValue, message: error.message, file: error.chunk, line: error.line,
                      traceback: error.traceback)
    }
}
