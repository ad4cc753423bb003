import Lua
import XCTest

/// Errors are typed and say where: chunk, line, traceback.
final class LuaErrorTests: XCTestCase {
    func testSyntaxErrorNamesChunkAndLine() throws {
        let state = try LuaState(limits: testLimits())
        let error = expectLuaError { _ = try state.load("local a = 1\nlocal b = = 2", chunk: "vendas/main.lua") }
        XCTAssertEqual(error?.kind, .syntax)
        XCTAssertEqual(error?.chunk, "vendas/main.lua")
        XCTAssertEqual(error?.line, 2)
        XCTAssertEqual(error?.message, "unexpected symbol near '='")
    }

    func testUnfinishedBlockReportsTheEnd() throws {
        let state = try LuaState(limits: testLimits())
        let error = expectLuaError { _ = try state.load("function f()\n  return 1\n", chunk: "a.lua") }
        XCTAssertEqual(error?.kind, .syntax)
        XCTAssertEqual(error?.line, 3)
        XCTAssertTrue(error?.message.contains("'end' expected") ?? false, error?.message ?? "")
    }

    func testRuntimeErrorHasPositionAndTraceback() throws {
        let state = try LuaState(limits: testLimits())
        let error = expectLuaError { _ = try state.run("""
            local function inner(t)
              return t.field.missing
            end
            local function outer() return inner({}) + 1 end
            outer()
            """, chunk: "bot.lua") }
        XCTAssertEqual(error?.kind, .runtime)
        XCTAssertEqual(error?.chunk, "bot.lua")
        XCTAssertEqual(error?.line, 2)
        XCTAssertEqual(error?.message, "attempt to index a nil value (field 'field')")
        let traceback = try XCTUnwrap(error?.traceback)
        XCTAssertTrue(traceback.hasPrefix("stack traceback:"), traceback)
        XCTAssertTrue(traceback.contains("bot.lua:2: in upvalue 'inner'"), traceback)
        XCTAssertTrue(traceback.contains("bot.lua:4:"), traceback)
    }

    func testErrorWithLevelZeroTakesThePositionFromTheTraceback() throws {
        let state = try LuaState(limits: testLimits())
        let error = expectLuaError { _ = try state.run("local x = 1\nerror('plain message', 0)") }
        XCTAssertEqual(error?.kind, .runtime)
        XCTAssertEqual(error?.message, "plain message")
        XCTAssertEqual(error?.chunk, "test.lua")
        XCTAssertEqual(error?.line, 2)
    }

    func testErrorObjectsThatAreNotStringsGetAPosition() throws {
        let state = try LuaState(limits: testLimits())
        for (code, message) in [("error({ code = 1 })", "(error object is a table value)"),
                                ("error(print)", "(error object is a function value)"),
                                ("error()", "nil error")] {
            let error = expectLuaError { _ = try state.run("local x = 1\n" + code, chunk: "t.lua") }
            XCTAssertEqual(error?.kind, .runtime, code)
            XCTAssertEqual(error?.description, "t.lua:2: \(message)", code)
        }
    }

    func testNumbersThrownAreMessages() throws {
        let state = try LuaState(limits: testLimits())
        let error = expectLuaError { _ = try state.run("error(42, 0)") }
        XCTAssertEqual(error?.message, "42")
    }

    func testAFailedCallLeavesTheStateUsable() throws {
        let state = try LuaState(limits: testLimits())
        for _ in 0..<100 { _ = expectLuaError { _ = try state.run("error('x')") } }
        XCTAssertEqual(try state.run("return 1 + 1"), [2])
    }
}
