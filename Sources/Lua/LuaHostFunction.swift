import CLua
import CLuaShim

/// A Swift function callable from Lua. It reads its arguments, returns its
/// results, or throws `LuaError` whose message becomes the Lua error (with the
/// caller's position). It never calls into the Lua API in ways that could raise.
public typealias LuaHostFunction = (LuaState, LuaArguments) throws(LuaError) -> [LuaValue]

/// The arguments of one host-function call, read without running metamethods.
public struct LuaArguments {
    let state: LuaState
    /// How many arguments the caller passed.
    public let count: Int

    /// The argument at `position` (1-based), copied out; `.nil` past the end.
    public func value(_ position: Int) throws(LuaError) -> LuaValue {
        guard position >= 1, position <= count else { return .nil }
        return try state.value(at: Int32(position))
    }

    /// The argument as text, or an error naming the function and the position.
    public func string(_ position: Int, function: String) throws(LuaError) -> String {
        guard position >= 1, position <= count, lua_type(state.L, Int32(position)) == LUA_TSTRING else {
            throw LuaError(kind: .runtime, message: "bad argument #\(position) to '\(function)' (string expected, got \(typeName(position)))")
        }
        try state.copyBudget.takeValue(length: Int(lua_rawlen(state.L, Int32(position))))
        return state.string(at: Int32(position)) ?? ""
    }

    /// Lua's name for the type of the argument at `position`.
    public func typeName(_ position: Int) -> String {
        guard position >= 1, position <= count else { return "no value" }
        return String(cString: lua_typename(state.L, lua_type(state.L, Int32(position))))
    }

    /// The field `key` of the table argument at `position` as an integer, read
    /// raw (no metamethods run) and without copying the rest of the table; nil
    /// when the argument is not a table or the field is not an integral number.
    public func integerField(_ position: Int, _ key: String) -> Int64? {
        guard position >= 1, position <= count, lua_type(state.L, Int32(position)) == LUA_TTABLE else { return nil }
        state.pushString(key)
        lua_rawget(state.L, Int32(position))
        defer { state.pop(1) }
        if lua_isinteger(state.L, -1) != 0 { return lua_tointegerx(state.L, -1, nil) }
        guard lua_type(state.L, -1) == LUA_TNUMBER else { return nil }
        return Int64(exactly: lua_tonumberx(state.L, -1, nil))
    }

    /// Whether the argument is a function (to keep as a reference).
    public func isFunction(_ position: Int) -> Bool {
        position >= 1 && position <= count && lua_type(state.L, Int32(position)) == LUA_TFUNCTION
    }

    /// Keeps the argument alive in the registry and returns its reference.
    public func reference(_ position: Int) -> LuaReference {
        lua_pushvalue(state.L, Int32(position))
        return LuaReference(id: luaL_ref(state.L, crm_registry_index()))
    }
}

extension LuaState {
    /// Makes `function` callable from Lua as the global `name`, or as a field of
    /// the global table `table` when given (created when missing).
    public func register(_ name: String, in table: String? = nil, _ function: @escaping LuaHostFunction) {
        pushFunction(function)
        setGlobal(name, in: table)
    }

    /// Pushes `function` as a Lua function value.
    public func pushFunction(_ function: @escaping LuaHostFunction) {
        hostFunctions.append(function)
        crm_push_host_function(L, context.pointee.owner, Int32(hostFunctions.count - 1))
    }

    /// Stores the value on top of the stack as a raw global (or field of a global table).
    func setGlobal(_ name: String, in table: String?) {
        lua_rawgeti(L, crm_registry_index(), lua_Integer(LUA_RIDX_GLOBALS))
        if let table {
            pushString(table)
            lua_rawget(L, -2)
            if lua_type(L, -1) != LUA_TTABLE {
                pop(1)
                lua_createtable(L, 0, 8)
                pushString(table)
                lua_pushvalue(L, -2)
                lua_rawset(L, -4)
            }
            lua_rotate(L, -2, 1)
            pop(1)
        }
        lua_rotate(L, -2, 1)
        pushString(name)
        lua_rotate(L, -2, 1)
        lua_rawset(L, -3)
        pop(1)
    }

    /// Sets a global to a plain value (e.g. the `crm.instance` description).
    public func setGlobal(_ name: String, in table: String? = nil, to value: LuaValue) {
        push(value)
        setGlobal(name, in: table)
    }

    /// Freezes the global table `name` so scripts cannot change it.
    public func freezeGlobal(_ name: String) {
        lua_rawgeti(L, crm_registry_index(), lua_Integer(LUA_RIDX_GLOBALS))
        pushString(name)
        lua_rawget(L, -2)
        if lua_type(L, -1) == LUA_TTABLE { crm_freeze(L, -1) }
        pop(2)
    }

    /// A global function as a reference, to call it from Swift.
    public func globalFunction(_ name: String) -> LuaReference? {
        lua_rawgeti(L, crm_registry_index(), lua_Integer(LUA_RIDX_GLOBALS))
        pushString(name)
        lua_rawget(L, -2)
        guard lua_type(L, -1) == LUA_TFUNCTION else { pop(2); return nil }
        let reference = LuaReference(id: luaL_ref(L, crm_registry_index()))
        pop(1)
        return reference
    }

    static let installCallbacks: Void = {
        crm_set_dispatch { state, owner, functionID in
            guard let state, let owner else { return CRM_HOST_RAISE }
            let host = Unmanaged<LuaState>.fromOpaque(owner).takeUnretainedValue()
            let mainThread = host.L
            host.L = state
            defer { host.L = mainThread }
            let arguments = LuaArguments(state: host, count: Int(lua_gettop(state)))
            host.copyBudget = LuaCopyBudget(limits: host.limits)
            let outcome = Result { () throws(LuaError) in try host.hostFunctions[Int(functionID)](host, arguments) }
            // The bytes copied out are the host's work, charged once C has control again.
            host.context.pointee.host_units = Int64(host.copyBudget.bytesTaken / 64)
            // Past the memory cap the call stops, even when the function caught the error.
            if host.copyBudget.isExhausted { return CRM_HOST_MEMORY }
            switch outcome {
            case .success(let results):
                guard lua_checkstack(state, Int32(results.count) + 4) != 0 else {
                    host.pushString("too many results from a host function")
                    return CRM_HOST_ERROR
                }
                for result in results { host.push(result) }
                return Int32(results.count)
            case .failure(let error):
                host.pushString(error.message)
                return CRM_HOST_ERROR
            }
        }
        crm_set_module_source { state, owner, name, length in
            guard let state, let owner, let name else { return 0 }
            let host = Unmanaged<LuaState>.fromOpaque(owner).takeUnretainedValue()
            let mainThread = host.L
            host.L = state
            defer { host.L = mainThread }
            let text = name.withMemoryRebound(to: UInt8.self, capacity: length) {
                String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
            }
            return host.pushModuleSource(named: text)
        }
        crm_set_warning_sink { owner, kind, message, length in
            guard let owner, let message else { return }
            let host = Unmanaged<LuaState>.fromOpaque(owner).takeUnretainedValue()
            let text = message.withMemoryRebound(to: UInt8.self, capacity: length) {
                String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
            }
            host.log(text, printed: kind == Int32(CRM_LOG_PRINT.rawValue))
        }
    }()

    /// Passes a warning or a printed line to its handler, at most
    /// `WarningWindow.perMinute` a minute for both together.
    func log(_ text: String, printed: Bool) {
        let handler = printed ? printHandler : warningHandler
        switch warningWindow.admit(now: crm_monotonic_ns()) {
        case .pass: handler?(text)
        case .firstDropped: handler?("further warnings and prints dropped for a minute")
        case .dropped: break
        }
    }
}

/// Rate limit of warnings and prints: a script cannot flood the log.
struct WarningWindow {
    static let perMinute = 60
    enum Admission { case pass, firstDropped, dropped }
    private var windowStart: UInt64 = 0
    private var count = 0

    mutating func admit(now: UInt64) -> Admission {
        if now - windowStart > 60_000_000_000 { windowStart = now; count = 0 }
        count += 1
        if count <= WarningWindow.perMinute { return .pass }
        return count == WarningWindow.perMinute + 1 ? .firstDropped : .dropped
    }
}
