import Lua
import XCTest

final class LuaSandboxTests: XCTestCase {
    private func run(_ code: String, in state: LuaState? = nil) throws -> [LuaValue] {
        let state = try state ?? LuaState()
        return try state.call(try state.load(code, chunk: "bot/main.lua"))
    }

    func test_removedGlobalsAreAbsent() throws {
        let absent = ["io", "debug", "package", "dofile", "loadfile", "os.execute", "os.exit", "os.getenv",
                      "os.remove", "os.rename", "os.tmpname", "string.dump", "require == nil and nil"]
        for name in absent.dropLast() {
            XCTAssertEqual(try run("return \(name) == nil"), [true], name)
        }
        XCTAssertEqual(try run("return type(os.time()), type(os.date('%Y')), type(os.clock())"), ["number", "string", "number"])
        XCTAssertEqual(try run("return type(require), type(print), type(load), type(collectgarbage('count'))"),
                       ["function", "function", "function", "number"])
    }

    func test_libraryTablesAreReadOnly() throws {
        for library in ["string", "table", "math", "utf8", "coroutine", "os"] {
            let results = try run("""
            local ok, err = pcall(function() \(library).injected = 1 end)
            local rawOk = pcall(rawset, \(library), "injected", 1)
            return ok, err, rawOk, \(library).injected, getmetatable(\(library))
            """)
            XCTAssertEqual(results, [false, "bot/main.lua:1: attempt to modify a read-only table (field 'injected')", false, nil, "read-only"],
                           library)
        }
    }

    func test_ownGlobalsAreWritableAndStayInTheirState() throws {
        let first = try LuaState()
        let second = try LuaState()
        _ = try run("tostring = nil; counter = 1", in: first)
        XCTAssertEqual(try run("return counter, tostring(5)", in: second), [nil, "5"])
        XCTAssertEqual(try run("return counter, type(tostring)", in: first), [1, "function"])
    }

    func test_stringMetatableIsLocked() throws {
        XCTAssertEqual(try run("""
        local ok = pcall(setmetatable, "", {})
        return getmetatable(""), ok, ("abc"):upper()
        """), ["locked", false, "ABC"])
    }

    func test_setmetatableRefusesGcButAllowsOtherMetamethods() throws {
        XCTAssertEqual(try run("""
        local ok, err = pcall(setmetatable, {}, { __gc = print })
        local v = setmetatable({}, { __index = function(_, k) return k .. "!" end })
        return ok, v.hi
        """), [false, "hi!"])
    }

    func test_requireLoadsAModuleOnceWithTheStatesGlobals() throws {
        let state = try LuaState()
        var asked: [String] = []
        state.moduleResolver = LuaModuleResolver(searchedPlaces: ["vendas/", "_shared/"]) { name in
            asked.append(name)
            switch name {
            case "pricing": return LuaModule(code: "loads = (loads or 0) + 1\nreturn { price = function() return 10 * rate end }", chunk: "vendas/pricing.lua")
            case "util.broken": return LuaModule(code: "local x = nil\nreturn x.y", chunk: "_shared/util/broken.lua")
            case "loop": return LuaModule(code: "return require('loop')", chunk: "vendas/loop.lua")
            default: return nil
            }
        }
        XCTAssertEqual(try run("""
        rate = 3
        local a, b = require("pricing"), require("pricing")
        return a == b, a.price(), loads
        """, in: state), [true, 30, 1])
        XCTAssertEqual(asked, ["pricing"])
        XCTAssertThrowsError(try run("return require('util.broken')", in: state)) { error in
            XCTAssertEqual((error as? LuaError)?.chunk, "_shared/util/broken.lua")
            XCTAssertEqual((error as? LuaError)?.line, 2)
        }
        XCTAssertThrowsError(try run("return require('loop')", in: state)) { error in
            XCTAssertTrue("\(error)".contains("module 'loop' requires itself while loading"), "\(error)")
        }
        XCTAssertThrowsError(try run("return require('missing')", in: state)) { error in
            XCTAssertEqual("\(error)", "bot/main.lua:1: module 'missing' not found in vendas/ or _shared/")
        }
    }

    func test_requireRefusesNamesOutsideTheFolders() throws {
        let state = try LuaState()
        state.moduleResolver = LuaModuleResolver(searchedPlaces: ["vendas/"]) { _ in XCTFail("resolver asked"); return nil }
        for name in ["a..b", ".hidden", "a/b", "a.", "", "c:\\\\x", String(repeating: "a", count: 200)] {
            XCTAssertThrowsError(try run("return require('\(name)')", in: state)) { error in
                XCTAssertTrue("\(error)".contains("require: invalid module name"), "\(name): \(error)")
            }
        }
    }

    func test_printAndWarnReachTheLogRateLimited() throws {
        let state = try LuaState()
        var printed: [String] = []
        var warned: [String] = []
        state.printHandler = { printed.append($0) }
        state.warningHandler = { warned.append($0) }
        _ = try run("print('a', 1, nil, true) warn('careful ', 'now')", in: state)
        XCTAssertEqual(printed, ["a\t1\tnil\ttrue"])
        XCTAssertEqual(warned, ["careful now"])
        _ = try run("for i = 1, 500 do print(i) end", in: state)
        XCTAssertEqual(printed.count + warned.count, 61)
        XCTAssertEqual(printed.last, "further warnings and prints dropped for a minute")
    }
}
