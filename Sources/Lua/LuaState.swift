import CLua
import Foundation
import CLuaShim

/// One Lua state: its memory, its budget, its host functions. Not thread-safe;
/// whoever owns it serialises calls. It is never closed or replaced while a call
/// into it is in flight.
public final class LuaState {
    public let limits: LuaLimits
    /// The thread being worked on: the main thread, or while a host function runs,
    /// the coroutine that called it (its arguments and results live on its stack).
    var L: OpaquePointer
    let context: UnsafeMutablePointer<crm_lua_ctx>
    var hostFunctions: [LuaHostFunction] = []
    /// What copies out of the state may still take in the host call (or the
    /// results) being copied now.
    var copyBudget: LuaCopyBudget
    private(set) var isCallInFlight = false
    private var isClosed = false

    /// Receives the state's warnings (`warn(...)`), already rate-limited.
    public var warningHandler: ((String) -> Void)?
    /// Receives the lines scripts `print`, already rate-limited (with warnings).
    public var printHandler: ((String) -> Void)?
    var warningWindow = WarningWindow()
    /// Where `require` finds modules; nil answers every `require` with "not found".
    public var moduleResolver: LuaModuleResolver?

    /// A new state. Sandboxed states see only the libraries of SPEC §6.
    public init(limits: LuaLimits = LuaLimits(), sandboxed: Bool = true) throws(LuaError) {
        LuaState.installCallbacks
        self.limits = limits
        copyBudget = LuaCopyBudget(limits: limits)
        context = .allocate(capacity: 1)
        context.initialize(to: crm_lua_ctx())
        context.pointee.memory_limit = limits.memory
        context.pointee.rep_limit = Int64(limits.stringRepBytes)
        context.pointee.pattern_subject_limit = Int64(limits.patternSubjectBytes)
        context.pointee.pattern_limit = Int64(limits.patternBytes)
        guard let state = crm_newstate(context) else {
            context.deallocate()
            throw LuaError(kind: .memoryLimit, message: "cannot create a Lua state")
        }
        L = state
        context.pointee.owner = Unmanaged.passUnretained(self).toOpaque()
        if sandboxed {
            crm_open_sandbox(L)
        } else {
            luaL_openlibs(L)
        }
    }

    deinit {
        close()
        context.deallocate()
    }

    /// Closes the state now rather than at deinit. Refused (false) while a call
    /// is in flight, e.g. from inside a host function: the call's frames still use it.
    @discardableResult
    public func close() -> Bool {
        guard !isCallInFlight else { return false }
        guard !isClosed else { return true }
        isClosed = true
        lua_close(L)
        return true
    }

    /// Bytes the state holds now.
    public var memoryInUse: Int { Int(context.pointee.memory_used) }

    /// Largest number of bytes the state ever held.
    public var memoryPeak: Int { Int(context.pointee.memory_peak) }

    /// The time `os.time()` and `os.date()` report; nil follows the real clock.
    public var fixedClock: Double? {
        get { context.pointee.fixed_now == 0 ? nil : context.pointee.fixed_now }
        set { context.pointee.fixed_now = newValue ?? 0 }
    }

    /// Runs full garbage collections, to give memory back after a heavy event.
    /// Each collection frees only half of a deep recursion's spare call
    /// records, so it repeats while that still gives memory back.
    public func collectGarbage() {
        guard !isClosed else { return }
        for _ in 0..<24 {
            let before = memoryInUse
            crm_collect_garbage(L)
            if before - memoryInUse < 4_096 { return }
        }
    }

    /// Compiles text (never bytecode) into a function kept in the registry.
    /// - Parameters:
    ///   - code: the source text.
    ///   - chunk: the name errors will show, e.g. `vendas/main.lua`.
    public func load(_ code: String, chunk: String) throws(LuaError) -> LuaReference {
        try checkAvailable()
        var bytes = Array(code.utf8)
        bytes.append(0)
        let status = bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                crm_load(L, chars.baseAddress, chars.count - 1, "=" + chunk)
            }
        }
        guard status == LUA_OK else {
            let message = string(at: -1) ?? "cannot load \(chunk)"
            pop(1)
            throw LuaError.parsing(kind: status == LUA_ERRMEM ? .memoryLimit : .syntax, message)
        }
        return LuaReference(id: luaL_ref(L, crm_registry_index()))
    }

    /// Frees a reference made by `load`, `reference(at:)` or a host function.
    public func release(_ reference: LuaReference) {
        guard !isClosed else { return }
        luaL_unref(L, crm_registry_index(), reference.id)
    }

    /// Calls a function under the state's budget and copies its results out.
    /// - Parameters:
    ///   - function: what to call.
    ///   - arguments: copied into the state before the call.
    ///   - instructions: overrides the per-call instruction budget (load-time budgets).
    public func call(_ function: LuaReference, _ arguments: [LuaValue] = [],
                     instructions: Int64? = nil) throws(LuaError) -> [LuaValue] {
        try call(function, instructions: instructions) { state in
            for argument in arguments { state.push(argument) }
            return Int32(arguments.count)
        }
    }

    /// Calls a function whose arguments `pushArguments` pushes itself (and
    /// returns how many), for hot paths that should not build `LuaValue`s.
    public func call(_ function: LuaReference, instructions: Int64? = nil,
                     pushArguments: (LuaState) -> Int32) throws(LuaError) -> [LuaValue] {
        try checkAvailable()
        // A host function may drop the owner's last reference to this state;
        // the state must outlive the call that is still using it.
        return try withExtendedLifetime(self) { () throws(LuaError) -> [LuaValue] in
            let base = lua_gettop(L)
            guard lua_checkstack(L, 64) != 0 else {
                throw LuaError(kind: .unavailable, message: "Lua stack exhausted")
            }
            lua_rawgeti(L, crm_registry_index(), lua_Integer(function.id))
            let count = pushArguments(self)
            isCallInFlight = true
            let budget = instructions ?? limits.instructionsPerCall
            let deadline = crm_monotonic_ns() + UInt64(limits.timePerCall.nanoseconds)
            crm_begin_call(L, budget, deadline)
            let status = crm_pcall(L, count, LUA_MULTRET)
            isCallInFlight = false
            defer { lua_settop(L, base) }
            guard status == LUA_OK else { throw failure(status: status) }
            return try results(above: base)
        }
    }

    private func checkAvailable() throws(LuaError) {
        if isClosed { throw LuaError(kind: .unavailable, message: "the Lua state is closed") }
        if isCallInFlight { throw LuaError(kind: .unavailable, message: "the Lua state is busy with another call") }
    }

    /// The typed error of a failed call: a limit when the host stopped it,
    /// otherwise the script's own error with its position and traceback.
    private func failure(status: Int32) -> LuaError {
        let raw = string(at: -1) ?? "(error object is not a string)"
        let (message, traceback) = LuaState.splitTraceback(raw)
        let stop = context.pointee.stop
        let whereText = withUnsafeBytes(of: context.pointee.stop_where) { bytes in
            String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
        }
        let limitKind: LuaError.Kind?
        let limitMessage: String
        switch stop {
        case Int32(CRM_STOP_INSTRUCTIONS.rawValue):
            limitKind = .instructionLimit
            limitMessage = "instruction limit exceeded (\(context.pointee.instruction_limit) per call)"
        case Int32(CRM_STOP_DEADLINE.rawValue):
            limitKind = .timeLimit
            limitMessage = "time limit exceeded (\(limits.timePerCall) per call)"
        case Int32(CRM_STOP_MEMORY.rawValue):
            limitKind = .memoryLimit
            limitMessage = "memory limit exceeded (\(limits.memory >> 20) MiB per state)"
        default:
            // The auxiliary library's buffers report a refused block as a plain
            // "not enough memory" error, without Lua's retry.
            limitKind = status == LUA_ERRMEM || message.hasSuffix("not enough memory") ? .memoryLimit : nil
            limitMessage = "memory limit exceeded (\(limits.memory >> 20) MiB per state)"
        }
        guard let kind = limitKind else { return LuaError.parsing(kind: .runtime, message, traceback: traceback) }
        var error = LuaError.parsing(kind: kind, "\(whereText): \(limitMessage)", traceback: traceback)
        if whereText.isEmpty {
            let position = LuaError.parsing(kind: kind, message)
            error = LuaError(kind: kind, message: limitMessage, chunk: position.chunk, line: position.line, traceback: traceback)
        }
        return error
    }

    static func splitTraceback(_ raw: String) -> (String, String?) {
        guard let range = raw.range(of: "\nstack traceback:") else { return (raw, nil) }
        return (String(raw[..<range.lowerBound]), String(raw[range.lowerBound...].dropFirst()))
    }

    func pop(_ count: Int32) { lua_settop(L, -count - 1) }
}

/// A function or value kept alive in a state's registry.
public struct LuaReference: Hashable, Sendable {
    public let id: Int32
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
