import Lua
import XCTest

/// The sandbox of SPEC §6: only safe libraries, frozen, text-only load.
final class LuaSandboxTests: XCTestCase {
    func testRemovedGlobalsAreAbsent() throws {
        let state = try LuaState(limits: testLimits())
        let absent = ["io", "debug", "package", "dofile", "loadfile", "require", "module",
                      "os.execute", "os.getenv", "os.exit", "os.remove", "os.rename", "os.tmpname",
                      "os.setlocale", "string.dump", "loadstring", "setfenv", "newproxy"]
        for path in absent {
            XCTAssertEqual(try state.evaluate("return \(path) == nil"), true, "\(path) should be absent")
        }
    }

    func testAllowedLibrariesArePresent() throws {
        let state = try LuaState(limits: testLimits())
        let present = ["string.format", "table.concat", "math.floor", "utf8.char", "coroutine.wrap",
                       "os.time", "os.date", "os.clock", "pcall", "xpcall", "select", "load", "warn", "print"]
        for path in present {
            XCTAssertEqual(try state.evaluate("return type(\(path))"), "function", path)
        }
        XCTAssertEqual(try state.evaluate("return _VERSION"), "Lua 5.4")
    }

    func testLibraryTablesAreReadOnly() throws {
        let state = try LuaState(limits: testLimits())
        let attempts: [(String, String)] = [
            ("string.upper = nil", "attempt to modify a read-only table (field 'upper')"),
            ("math.pi = 3", "attempt to modify a read-only table (field 'pi')"),
            ("os.execute = print", "attempt to modify a read-only table (field 'execute')"),
            ("rawset(table, 'insert', print)", "attempt to modify a read-only table with rawset"),
            ("setmetatable(string, nil)", "cannot change a protected metatable"),
            ("table.insert(coroutine, 1)", "attempt to modify a read-only table (field '?')"),
        ]
        for (code, message) in attempts {
            let error = expectLuaError { _ = try state.run(code, chunk: "t.lua") }
            XCTAssertEqual(error?.kind, .runtime, code)
            XCTAssertEqual(error?.description, "t.lua:1: \(message)", code)
        }
        XCTAssertEqual(try state.evaluate("return getmetatable(string)"), "read-only")
        XCTAssertEqual(try state.evaluate("local n = 0 for k in pairs(string) do n = n + 1 end return n > 10"), true,
                       "pairs still lists a frozen library")
        XCTAssertEqual(try state.evaluate("return string.upper('ok')"), "OK")
    }

    func testStringMetatableIsLocked() throws {
        let state = try LuaState(limits: testLimits())
        XCTAssertEqual(try state.evaluate("return getmetatable('')"), "locked")
        XCTAssertEqual(try state.evaluate("return ('abc'):upper()"), "ABC")
        let error = expectLuaError { _ = try state.run("getmetatable('').__index = {}", chunk: "s.lua") }
        XCTAssertEqual(error?.description, "s.lua:1: attempt to index a string value")
    }

    func testGlobalsAreTheStatesOwnAndProtected() throws {
        let state = try LuaState(limits: testLimits())
        XCTAssertEqual(try state.evaluate("x = 1 string = 'shadow' return x, string"), 1)
        XCTAssertEqual(try state.evaluate("return getmetatable(_G)"), "globals")
        XCTAssertEqual(try state.evaluate("return _G == _ENV"), true)
        let other = try LuaState(limits: testLimits())
        XCTAssertEqual(try other.evaluate("return x == nil and type(string) == 'table'"), true)
        let error = expectLuaError { _ = try state.run("setmetatable(_G, nil)") }
        XCTAssertEqual(error?.message, "cannot change a protected metatable")
    }

    func testLoadIsTextOnly() throws {
        let state = try LuaState(limits: testLimits())
        XCTAssertEqual(try state.run("return load('return 1 + 1')()"), [2])
        let binary = try state.run("return load('\\27LuaT\\0\\25\\147\\r\\n\\26\\n', 'x', 'b')")
        XCTAssertEqual(binary.first, .nil)
        XCTAssertEqual(binary.last, "attempt to load a binary chunk (mode is 't')")
        XCTAssertEqual(try state.run("local env = { y = 5 } return load('return y', 'c', 'bt', env)()"), [5])
        let host = expectLuaError { _ = try state.load("\u{1B}Lua", chunk: "bin.lua") }
        XCTAssertEqual(host?.kind, .syntax)
        XCTAssertTrue(host?.message.contains("binary chunk") ?? false, host?.message ?? "")
    }

    func testSetmetatableRefusesFinalizers() throws {
        let state = try LuaState(limits: testLimits())
        let error = expectLuaError { _ = try state.run("setmetatable({}, { __gc = function() end })", chunk: "g.lua") }
        XCTAssertEqual(error?.description, "g.lua:1: setmetatable: __gc metamethods are not allowed in scripts")
        XCTAssertEqual(try state.evaluate("return getmetatable(setmetatable({}, { __index = { a = 1 } })).__index.a"), 1)
    }

    func testCollectgarbageOnlyCounts() throws {
        let state = try LuaState(limits: testLimits())
        let count = try state.evaluate("return collectgarbage('count')")
        XCTAssertGreaterThan(count.numberValue ?? 0, 1)
        for option in ["", "'collect'", "'stop'", "'step'", "'generational'", "'countx'"] {
            let error = expectLuaError { _ = try state.run("collectgarbage(\(option))") }
            XCTAssertEqual(error?.message, "collectgarbage: only \"count\" is allowed in scripts", option)
        }
    }

    func testOsClockFollowsTheHostsFixedClock() throws {
        let state = try LuaState(limits: testLimits())
        state.fixedClock = 1_796_040_000
        XCTAssertEqual(try state.evaluate("return os.time()"), 1_796_040_000)
        XCTAssertEqual(try state.evaluate("return os.date('!%Y-%m-%d %H:%M', 0)"), "1970-01-01 00:00")
        XCTAssertEqual(try state.evaluate("return os.date('!%Y-%m-%d')"), "2026-11-30")
        XCTAssertEqual(try state.evaluate("return os.time({ year = 2026, month = 1, day = 1, hour = 12 }) > 0"), true)
        state.fixedClock = nil
        XCTAssertGreaterThan(try state.evaluate("return os.time()").integerValue ?? 0, 1_700_000_000)
    }

    func testPrintAndWarnGoToTheLogHandlers() throws {
        let state = try LuaState(limits: testLimits())
        var printed: [String] = []
        var warned: [String] = []
        state.printHandler = { printed.append($0) }
        state.warningHandler = { warned.append($0) }
        _ = try state.run("print('olá', 1, nil, true, setmetatable({}, { __tostring = function() return 'T' end })) warn('care', 'ful') warn('@on')")
        XCTAssertEqual(printed, ["olá\t1\tnil\ttrue\tT"])
        XCTAssertEqual(warned, ["careful"])
    }

    func testLogIsRateLimited() throws {
        let state = try LuaState(limits: testLimits())
        var lines: [String] = []
        state.printHandler = { lines.append($0) }
        _ = try state.run("for i = 1, 500 do print(i) end")
        XCTAssertEqual(lines.count, 61)
        XCTAssertEqual(lines.first, "1")
        XCTAssertEqual(lines.last, "further warnings and prints dropped for a minute")
    }

    func testPrintCutsHugeLines() throws {
        let state = try LuaState(limits: testLimits())
        var lines: [String] = []
        state.printHandler = { lines.append($0) }
        _ = try state.run("print(string.rep('x', 100000))")
        XCTAssertEqual(lines.first?.utf8.count, 4096)
    }
}
