import CLua
import CLuaShim

extension LuaState {
    /// Pushes a copy of `value`. Host code runs outside the memory cap, so a push
    /// never raises; NaN and nil keys, which Lua refuses, are skipped.
    public func push(_ value: LuaValue) {
        push(value, depth: 0)
    }

    private func push(_ value: LuaValue, depth: Int) {
        switch value {
        case .nil:
            lua_pushnil(L)
        case .boolean(let flag):
            lua_pushboolean(L, flag ? 1 : 0)
        case .integer(let number):
            lua_pushinteger(L, number)
        case .number(let number):
            lua_pushnumber(L, number)
        case .string(let bytes):
            pushBytes(bytes)
        case .table(let table):
            guard depth < limits.valueDepth, lua_checkstack(L, 4) != 0 else {
                lua_pushnil(L)
                return
            }
            lua_createtable(L, Int32(clamping: table.sequence.count), Int32(clamping: table.fields.count))
            for (offset, element) in table.sequence.enumerated() {
                push(element, depth: depth + 1)
                lua_rawseti(L, -2, lua_Integer(offset + 1))
            }
            for (key, element) in table.fields {
                if key.isNil { continue }
                if case .number(let number) = key, number.isNaN { continue }
                push(key, depth: depth + 1)
                push(element, depth: depth + 1)
                lua_rawset(L, -3)
            }
        }
    }

    public func pushBytes(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                _ = lua_pushlstring(L, chars.baseAddress, chars.count)
            }
        }
    }

    public func pushString(_ text: String) {
        var text = text
        text.withUTF8 { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                _ = lua_pushlstring(L, chars.baseAddress, chars.count)
            }
        }
    }

    /// The string at `index` when it is a string; never converts numbers, which
    /// would allocate and could raise.
    func string(at index: Int32) -> String? {
        guard lua_type(L, index) == LUA_TSTRING else { return nil }
        var length = 0
        guard let pointer = lua_tolstring(L, index, &length) else { return nil }
        return pointer.withMemoryRebound(to: UInt8.self, capacity: length) { bytes in
            String(decoding: UnsafeBufferPointer(start: bytes, count: length), as: UTF8.self)
        }
    }

    func bytes(at index: Int32) -> [UInt8]? {
        guard lua_type(L, index) == LUA_TSTRING else { return nil }
        var length = 0
        guard let pointer = lua_tolstring(L, index, &length) else { return nil }
        return pointer.withMemoryRebound(to: UInt8.self, capacity: length) { bytes in
            Array(UnsafeBufferPointer(start: bytes, count: length))
        }
    }

    /// Copies the value at `index` out of the state with raw access only (no
    /// metamethods run), within the depth limit, refusing cycles. Within a host
    /// call, all its copies share one budget of entries and bytes.
    public func value(at index: Int32) throws(LuaError) -> LuaValue {
        var visiting = Set<UnsafeRawPointer>()
        return try value(at: lua_absindex(L, index), depth: 0, budget: &copyBudget, visiting: &visiting)
    }

    /// The values above `base`, all within one fresh budget, so a script cannot
    /// return a million values, or one string a million times, to make the host
    /// copy them all.
    func results(above base: Int32) throws(LuaError) -> [LuaValue] {
        let top = lua_gettop(L)
        guard top > base else { return [] }
        copyBudget = LuaCopyBudget(limits: limits)
        guard copyBudget.takeEntries(Int(top - base)) else {
            throw LuaError(kind: .conversion, message: "more than \(limits.valueEntries) values returned")
        }
        var visiting = Set<UnsafeRawPointer>()
        var results: [LuaValue] = []
        results.reserveCapacity(Int(top - base))
        for index in (base + 1)...top {
            results.append(try value(at: index, depth: 0, budget: &copyBudget, visiting: &visiting))
        }
        return results
    }

    private func value(at index: Int32, depth: Int, budget: inout LuaCopyBudget,
                       visiting: inout Set<UnsafeRawPointer>) throws(LuaError) -> LuaValue {
        switch lua_type(L, index) {
        case LUA_TNIL, LUA_TNONE:
            return .nil
        case LUA_TBOOLEAN:
            return .boolean(lua_toboolean(L, index) != 0)
        case LUA_TNUMBER:
            if lua_isinteger(L, index) != 0 { return .integer(lua_tointegerx(L, index, nil)) }
            return .number(lua_tonumberx(L, index, nil))
        case LUA_TSTRING:
            try budget.takeValue(length: Int(lua_rawlen(L, index)))
            return .string(bytes(at: index) ?? [])
        case LUA_TTABLE:
            try budget.takeValue()
            return .table(try table(at: index, depth: depth, budget: &budget, visiting: &visiting))
        default:
            let type = String(cString: lua_typename(L, lua_type(L, index)))
            throw LuaError(kind: .conversion, message: "a \(type) value cannot leave the script")
        }
    }

    private func table(at index: Int32, depth: Int, budget: inout LuaCopyBudget,
                       visiting: inout Set<UnsafeRawPointer>) throws(LuaError) -> LuaTable {
        guard depth < limits.valueDepth else {
            throw LuaError(kind: .conversion, message: "table nested deeper than \(limits.valueDepth) levels")
        }
        guard let identity = lua_topointer(L, index), visiting.insert(identity).inserted else {
            throw LuaError(kind: .conversion, message: "table refers to itself (a cycle)")
        }
        defer { visiting.remove(identity) }
        guard lua_checkstack(L, 4) != 0 else {
            throw LuaError(kind: .conversion, message: "Lua stack exhausted while copying a table")
        }
        var table = LuaTable()
        let length = Int(lua_rawlen(L, index))
        if length > budget.entries {
            throw LuaError(kind: .conversion, message: "table has more than \(limits.valueEntries) entries")
        }
        if length > 0 {
            table.sequence.reserveCapacity(length)
            for position in 1...length {
                lua_rawgeti(L, index, lua_Integer(position))
                defer { pop(1) }
                try budget.takeEntry()
                table.sequence.append(try value(at: lua_gettop(L), depth: depth + 1, budget: &budget, visiting: &visiting))
            }
        }
        lua_pushnil(L)
        while lua_next(L, index) != 0 {
            let keyIndex = lua_gettop(L) - 1
            if lua_isinteger(L, keyIndex) != 0 {
                let position = lua_tointegerx(L, keyIndex, nil)
                if position >= 1 && position <= length { pop(1); continue }
            }
            let key: LuaValue
            let element: LuaValue
            do {
                try budget.takeEntry()
                key = try value(at: keyIndex, depth: depth + 1, budget: &budget, visiting: &visiting)
                element = try value(at: keyIndex + 1, depth: depth + 1, budget: &budget, visiting: &visiting)
            } catch {
                pop(2)
                throw error
            }
            table.fields[key] = element
            pop(1)
        }
        return table
    }
}
