import Lua
import XCTest

final class LuaCallTests: XCTestCase {
    func test_hostFunctionGetsArgumentsAndReturnsResults() throws {
        let state = try LuaState()
        state.register("add", in: "host") { _, arguments throws(LuaError) in
            let a = try arguments.value(1).integerValue ?? 0
            let b = try arguments.value(2).integerValue ?? 0
            return [.integer(a + b), .text("done")]
        }
        let code = try state.load("return host.add(40, 2)", chunk: "bot/main.lua")
        XCTAssertEqual(try state.call(code), [42, "done"])
    }

    func test_hostFunctionErrorCarriesTheScriptPosition() throws {
        let state = try LuaState()
        state.register("fail") { _, _ throws(LuaError) in throw LuaError(kind: .runtime, message: "crm.send: the message is empty") }
        let code = try state.load("local x = 1\nfail()\n", chunk: "bot/main.lua")
        XCTAssertThrowsError(try state.call(code)) { error in
            let error = error as? LuaError
            XCTAssertEqual(error?.kind, .runtime)
            XCTAssertEqual(error?.message, "crm.send: the message is empty")
            XCTAssertEqual(error?.chunk, "bot/main.lua")
            XCTAssertEqual(error?.line, 2)
        }
    }

    func test_hostFunctionErrorCanBeCaughtByTheScript() throws {
        let state = try LuaState()
        state.register("fail") { _, _ throws(LuaError) in throw LuaError(kind: .runtime, message: "nope") }
        let code = try state.load("local ok, err = pcall(function() fail() end)\nreturn ok, err", chunk: "bot/main.lua")
        XCTAssertEqual(try state.call(code), [false, "bot/main.lua:1: nope"])
    }

    func test_hostFunctionWorksFromACoroutine() throws {
        let state = try LuaState()
        state.register("double") { _, arguments throws(LuaError) in [.integer((try arguments.value(1).integerValue ?? 0) * 2)] }
        let code = try state.load("return coroutine.wrap(function(n) return double(n) end)(21)", chunk: "co.lua")
        XCTAssertEqual(try state.call(code), [42])
    }

    func test_runtimeErrorHasPositionAndTraceback() throws {
        let state = try LuaState()
        let code = try state.load("""
        local function price(item)
          return item.value * 2
        end
        local total = price(nil) return total
        """, chunk: "bot/pricing.lua")
        XCTAssertThrowsError(try state.call(code)) { error in
            let error = error as? LuaError
            XCTAssertEqual(error?.kind, .runtime)
            XCTAssertEqual(error?.chunk, "bot/pricing.lua")
            XCTAssertEqual(error?.line, 2)
            XCTAssertEqual(error?.message, "attempt to index a nil value (local 'item')")
            XCTAssertTrue(error?.traceback?.contains("bot/pricing.lua:2: in") ?? false, "\(error?.traceback ?? "")")
            XCTAssertTrue(error?.traceback?.contains("bot/pricing.lua:4: in") ?? false, "\(error?.traceback ?? "")")
        }
    }

    func test_syntaxErrorIsTypedWithChunkAndLine() throws {
        let state = try LuaState()
        XCTAssertThrowsError(try state.load("local a = 1\nlocal b = = 2\n", chunk: "bot/main.lua")) { error in
            let error = error as? LuaError
            XCTAssertEqual(error?.kind, .syntax)
            XCTAssertEqual(error?.chunk, "bot/main.lua")
            XCTAssertEqual(error?.line, 2)
            XCTAssertTrue(error?.message.contains("unexpected symbol near '='") ?? false, "\(String(describing: error))")
        }
    }

    func test_stateIsNeitherClosedNorReenteredDuringACall() throws {
        let state = try LuaState()
        var closed: Bool?
        var reentry: LuaError?
        let inner = try state.load("return 1", chunk: "inner.lua")
        state.register("meddle") { state, _ throws(LuaError) in
            closed = state.close()
            do { _ = try state.call(inner) } catch let error as LuaError { reentry = error } catch {}
            return []
        }
        let code = try state.load("meddle() return 'still here'", chunk: "outer.lua")
        XCTAssertEqual(try state.call(code), ["still here"])
        XCTAssertEqual(closed, false)
        XCTAssertEqual(reentry?.kind, .unavailable)
        XCTAssertTrue(state.close())
        XCTAssertThrowsError(try state.call(inner)) { XCTAssertEqual(($0 as? LuaError)?.kind, .unavailable) }
    }
}
