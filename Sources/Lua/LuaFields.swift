import CLua
import CLuaShim

/// Writes the fields of a table being built on top of a state's stack, straight
/// from Swift values: the hot path of every event, which would otherwise build a
/// `LuaValue` tree (a dictionary and a byte array per string) only to copy it.
/// Keys are static strings, so naming a field allocates nothing; nil values
/// leave the field out, as Lua would.
public struct LuaFields {
    let state: LuaState

    public func set(_ key: StaticString, _ value: String?) {
        guard let value else { return }
        state.pushString(value)
        store(key)
    }

    public func set(_ key: StaticString, _ value: Int64) {
        lua_pushinteger(state.L, value)
        store(key)
    }

    public func set(_ key: StaticString, _ value: Bool) {
        lua_pushboolean(state.L, value ? 1 : 0)
        store(key)
    }

    public func set(_ key: StaticString, _ value: LuaValue) {
        guard !value.isNil else { return }
        state.push(value)
        store(key)
    }

    /// A nested table under `key`, filled by `fill`.
    public func table(_ key: StaticString, fields: Int32 = 4, _ fill: (LuaFields) -> Void) {
        guard lua_checkstack(state.L, 4) != 0 else { return }
        state.pushTable(fields: fields, fill)
        store(key)
    }

    /// Sets the value on top as `key` of the table below it. A static string's
    /// bytes are a NUL-terminated constant, which `lua_setfield` takes as is and
    /// finds in Lua's cache of API strings by address, without hashing the key
    /// again; the table is new and has no metatable, so no metamethod runs.
    private func store(_ key: StaticString) {
        if key.hasPointerRepresentation, key.utf8Start[key.utf8CodeUnitCount] == 0 {
            key.utf8Start.withMemoryRebound(to: CChar.self, capacity: key.utf8CodeUnitCount + 1) { name in
                lua_setfield(state.L, -2, name)
            }
            return
        }
        key.withUTF8Buffer { bytes in
            bytes.withMemoryRebound(to: CChar.self) { chars in
                _ = lua_pushlstring(state.L, chars.baseAddress, chars.count)
            }
        }
        lua_rotate(state.L, -2, 1)
        lua_rawset(state.L, -3)
    }
}

extension LuaState {
    /// Pushes a new table whose fields `fill` writes. Host code runs outside the
    /// memory cap, so building it never raises.
    /// - Parameter fields: how many fields to make room for up front.
    public func pushTable(fields: Int32, _ fill: (LuaFields) -> Void) {
        lua_createtable(L, 0, fields)
        fill(LuaFields(state: self))
    }
}
