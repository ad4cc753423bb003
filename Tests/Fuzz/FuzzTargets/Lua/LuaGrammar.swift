/// Random Lua from a small grammar: expressions and statements over the
/// standard library the sandbox keeps (string, table, math, utf8,
/// coroutines, pcall/error, metatables, load) and every `crm.*` function
/// with arguments of every type. Each statement is one line, so a mutation
/// can swap a line for another statement and keep the program well-formed.
struct LuaGrammar {
    var random: FuzzRandom
    private var depth = 0

    init(using random: FuzzRandom) { self.random = random }

    /// A `main.lua`: a few lines run at load, and a message handler.
    mutating func program() -> String {
        var lines = ["t, s, a, b, c, x = {}, \"\", 1, 2.5, \"c\", 0"]
        for _ in 0..<random.below(3) { lines.append(statement()) }
        lines.append("on(\"message\", function(msg)")
        for _ in 0..<random.size(upTo: 12) + 1 { lines.append(statement()) }
        lines.append("end)")
        if random.oneIn(3) { lines.append("on(\"timer\", function(t) \(statement()) end)") }
        return lines.joined(separator: "\n")
    }

    mutating func statement() -> String {
        depth += 1
        defer { depth -= 1 }
        guard depth < 4 else { return "local _ = \(expression())" }
        switch random.below(20) {
        case 0, 1: return "local \(random.pick(Self.names)) = \(expression())"
        case 2: return "\(random.pick(Self.names)) = \(expression())"
        case 3: return "t[\(expression())] = \(expression())"
        case 4: return "if \(expression()) then \(block()) else \(block()) end"
        case 5: return "for i = \(small()), \(random.pick(["3", "10", "1000", "1e9", "math.maxinteger", "-1"])) do \(block()) end"
        case 6: return "for k, v in pairs(\(table())) do \(block()) end"
        case 7: return "local n = 0 while n < \(random.pick(["5", "100", "1e8"])) do n = n + 1 \(block()) end"
        case 8: return "pcall(function() \(block()) end)"
        case 9, 10: return "pcall(\(hostCall()))"
        case 11: return "local ok, j = pcall(crm.json.encode, \(expression())) if ok then pcall(crm.json.decode, j) end"
        case 12: return coroutineStatement()
        case 13 where OpenFindings.allows(.closeHandlersInCoroutines):
            return "do local c <close> = setmetatable({}, { __close = function() \(block()) end }) \(block()) end"
        case 14: return "setmetatable(t, { \(metamethods()) })"
        case 15: return "local ok, e = pcall(error, \(expression())) s = tostring(e)"
        case 16: return "local f = load(\(luaString(String(statementText()))), \"=fuzz\", \"t\") if f then pcall(f) end"
        case 17: return "msg:reply(\(expression()))"
        case 18: return "local ok, r = pcall(\(libraryCall()))"
        default: return "s = \(expression()) .. \"\""
        }
    }

    /// A statement for `load`, generated without touching this grammar's depth.
    private mutating func statementText() -> String {
        var inner = LuaGrammar(using: FuzzRandom(seed: random.next()))
        inner.depth = 2
        return inner.statement()
    }

    mutating func block() -> String {
        (0..<random.below(3) + 1).map { _ in statement() }.joined(separator: " ")
    }

    static let names = ["a", "b", "c", "s", "t", "co", "x"]

    mutating func expression() -> String {
        depth += 1
        defer { depth -= 1 }
        guard depth < 5 else { return literal() }
        switch random.below(14) {
        case 0, 1, 2: return literal()
        case 3: return random.pick(Self.names + ["msg", "msg.text", "msg.conversation", "msg.at", "msg.media", "crm", "_ENV", "..."])
        case 4: return table()
        case 5: return "(\(expression()) \(random.pick(Self.binary)) \(expression()))"
        case 6: return "(\(random.pick(["-", "not ", "#", "~"]))\(expression()))"
        case 7: return "function(...) \(block()) return \(expression()) end"
        case 8: return "select(2, pcall(\(hostCall())))"
        case 9: return "select(2, pcall(\(libraryCall())))"
        case 10: return "setmetatable(\(table()), { \(metamethods()) })"
        case 11: return "coroutine.wrap(function(...) \(block()) coroutine.yield(\(expression())) return ... end)"
        case 12: return "t[\(expression())]"
        default: return "(\(expression()))"
        }
    }

    static let binary = ["+", "-", "*", "/", "//", "%", "^", "..", "==", "~=", "<", "<=", ">", ">=", "and", "or", "&", "|", "~", "<<", ">>"]

    mutating func literal() -> String {
        switch random.below(10) {
        case 0: return random.pick(["nil", "true", "false"])
        case 1: return random.pick(["0", "1", "-1", "math.maxinteger", "math.mininteger", "2^53", "2^63", "1e308", "-0.0", "0.5"])
        case 2: return random.pick(["1/0", "-1/0", "0/0", "math.huge", "math.pi", "3", "7"])
        case 3: return luaString(random.pick(["", "oi", "olá 😀", "\u{0}", "%", "%d", "[", "(", "%b()", "é", "a.b", "x=1",
                                              "{\"a\":1}", "[1,2,3]", "{\"a\":", "1e999", "\"\\ud800\""]))
        case 4: return random.pick(["\"\\xff\\xfe\"", "\"\\u{7FFFFFFF}\"", "\"\\0\\1\\2\"", "\"\\z   \""])
        case 5: return "string.rep(\"\(random.pick(["x", "é", "ab"]))\", \(random.pick(["0", "10", "1000", "100000", "1048576", "1048577", "-1"])))"
        case 6: return "msg.conversation"
        case 7: return table()
        case 8: return "\(random.below(1000))"
        default: return luaString(random.pick(LuaGrammar.names))
        }
    }

    mutating func small() -> String { random.pick(["1", "0", "-5", "math.mininteger", "0.5"]) }

    mutating func table() -> String {
        switch random.below(6) {
        case 0: return "{}"
        case 1: return "{ \((0..<random.below(4)).map { _ in expression() }.joined(separator: ", ")) }"
        case 2: return "{ \((0..<random.below(4)).map { _ in "[\(literal())] = \(expression())" }.joined(separator: ", ")) }"
        case 3: return "t"
        case 4 where OpenFindings.allows(.unboundedArgumentCopies):
            return "(function() local big, r = string.rep(\"x\", 1 << 20), {} for i = 1, 100000 do r[i] = big end return r end)()"
        default:
            // Deep, or referring to itself: copies out of Lua must stop at both.
            return random.pick(["(function() local r = {} r.self = r r[1] = r return r end)()",
                                "(function() local r = {} for i = 1, 40 do r = { r } end return r end)()",
                                "(function() local r = {} for i = 1, 5000 do r[i] = i end return r end)()",
                                "{ text = \"oi\", media = { type = \"image\", url = \"u\" }, template = { name = \"n\", parameters = { 1, {} } } }"])
        }
    }

    mutating func metamethods() -> String {
        (0..<random.below(3) + 1).map { _ in
            "\(random.pick(["__index", "__newindex", "__call", "__tostring", "__len", "__eq", "__lt", "__le", "__concat", "__add", "__gc", "__mode", "__name", "__pairs", "__metatable"])) = \(random.oneIn(3) ? literal() : "function(...) \(block()) return \(expression()) end")"
        }.joined(separator: ", ")
    }

    /// A `crm.*` function and its arguments, as `pcall` takes them (`f, a, b`).
    mutating func hostCall() -> String {
        let function = random.pick(["crm.send", "crm.tag", "crm.untag", "crm.tags", "crm.assign", "crm.conversation",
                                    "crm.kv.get", "crm.kv.set", "crm.kv.delete", "crm.kv.incr", "crm.after", "crm.now",
                                    "crm.json.encode", "crm.json.decode", "crm.log.info", "crm.log.warn", "crm.log.error",
                                    "print", "warn", "require", "msg.reply", "on"])
        let arguments = (0..<random.below(4)).map { index in
            index == 0 && random.oneIn(2) ? random.pick(["msg.conversation", "msg", "\"key\"", "0", "-1", "1e300"]) : expression()
        }
        return ([function] + arguments).joined(separator: ", ")
    }

    /// A standard library function and arguments, as `pcall` takes them.
    mutating func libraryCall() -> String {
        var functions = ["string.format", "string.rep", "string.sub", "string.byte", "string.char", "string.find",
                         "string.match", "string.gsub", "string.gmatch", "string.upper", "string.reverse", "string.len",
                         "table.concat", "table.insert", "table.remove", "table.unpack", "table.move", "table.pack",
                         "math.floor", "math.tointeger", "math.fmod", "math.random", "math.abs", "math.max",
                         "utf8.char", "utf8.len", "utf8.codepoint", "utf8.offset", "tostring", "tonumber", "select",
                         "rawget", "rawset", "rawlen", "rawequal", "next", "ipairs", "getmetatable", "setmetatable",
                         "os.time", "os.date", "os.clock", "coroutine.running", "coroutine.isyieldable", "collectgarbage", "type", "assert"]
        if OpenFindings.allows(.unchargedLibraryWork) {
            functions += ["table.sort", "string.pack", "string.unpack"]
        }
        let arguments = (0..<random.below(4)).map { _ in expression() }
        return ([random.pick(functions)] + arguments).joined(separator: ", ")
    }

    mutating func coroutineStatement() -> String {
        switch random.below(4) {
        case 0:
            return "co = coroutine.create(function(...) \(block()) coroutine.yield(\(expression())) \(block()) end) pcall(coroutine.resume, co, \(expression())) pcall(coroutine.resume, co)"
        case 1:
            return "co = coroutine.wrap(function() while true do coroutine.yield(\(expression())) end end) for i = 1, \(random.pick(["3", "1000"])) do pcall(co) end"
        case 2 where OpenFindings.allows(.closeHandlersInCoroutines):
            return "co = coroutine.create(function() local c <close> = setmetatable({}, { __close = function() \(block()) end }) while true do end end) pcall(coroutine.resume, co) pcall(coroutine.close, co)"
        default:
            return "co = coroutine.create(function() \(block()) error(\(expression())) end) s = tostring(select(2, coroutine.resume(co))) pcall(coroutine.close, co)"
        }
    }

    /// A Lua string literal for any text.
    func luaString(_ text: String) -> String {
        var literal = "\""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): literal += "\\" + String(UnicodeScalar(byte))
            case 0x20..<0x7F: literal += String(UnicodeScalar(byte))
            default:
                let digits = String(byte)
                literal += "\\" + String(repeating: "0", count: 3 - digits.count) + digits
            }
        }
        return literal + "\""
    }
}
