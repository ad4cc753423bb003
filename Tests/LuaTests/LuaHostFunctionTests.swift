import Lua
import XCTest

/// Swift functions called from Lua: arguments, results, errors with the
/// caller's position, and calls from coroutines.
final class LuaHostFunctionTests: XCTestCase {
    func testHostFunctionReceivesArgumentsAndReturnsResults() throws {
        let state = try LuaState(limits: testLimits())
        state.register("add") { _, arguments throws(LuaError) in
            let a = try arguments.value(1).integerValue ?? 0
            let b = try arguments.value(2).integerValue ?? 0
            return [.integer(a + b), .text("sum")]
        }
        XCTAssertEqual(try state.run("return add(2, 40)"), [42, "sum"])
    }

    func testHostFunctionInATableField() throws {
        let state = try LuaState(limits: testLimits())
        state.register("greet", in: "host") { _, arguments throws(LuaError) in
            [.text("olá, " + (try arguments.string(1, function: "host.greet")))]
        }
        XCTAssertEqual(try state.run("return host.greet('Ana')"), ["olá, Ana"])
        let error = expectLuaError { _ = try state.run("\n\nreturn host.greet(7)", chunk: "bot/main.lua") }
        XCTAssertEqual(error?.kind, .runtime)
        XCTAssertEqual(error?.chunk, "bot/main.lua")
        XCTAssertEqual(error?.line, 3)
        XCTAssertEqual(error?.message, "bad argument #1 to 'host.greet' (string expected, got number)")
    }

    func testThrownErrorCarriesTheCallersChunkAndLine() throws {
        let state = try LuaState(limits: testLimits())
        state.register("fail") { _, _ throws(LuaError) in
            throw LuaError(kind: .runtime, message: "the host says no")
        }
        let error = expectLuaError { _ = try state.run("local x = 1\nfail()", chunk: "vendas/main.lua") }
        XCTAssertEqual(error?.kind, .runtime)
        XCTAssertEqual(error?.description, "vendas/main.lua:2: the host says no")
        XCTAssertTrue(error?.traceback?.contains("vendas/main.lua:2") ?? false, error?.traceback ?? "no traceback")
    }

    func testScriptCanCatchAHostErrorWithPcall() throws {
        let state = try LuaState(limits: testLimits())
        state.register("fail") { _, _ throws(LuaError) in throw LuaError(kind: .runtime, message: "nope") }
        XCTAssertEqual(try state.run("local ok, e = pcall(fail) return ok, e", chunk: "c.lua"), [false, "c.lua:1: nope"])
    }

    func testHostFunctionCalledFromACoroutineUsesItsStack() throws {
        let state = try LuaState(limits: testLimits())
        state.register("double") { _, arguments throws(LuaError) in
            [.integer((try arguments.value(1).integerValue ?? 0) * 2), .text(arguments.typeName(1))]
        }
        let results = try state.run("""
            local co = coroutine.wrap(function(a)
              local x, kind = double(a)
              local y = coroutine.yield(x)
              return double(y), kind
            end)
            local first = co(21)
            return first, co(5)
            """)
        XCTAssertEqual(results, [42, 10, "number"])
    }

    func testHostFunctionsKeepReferencesToLuaFunctions() throws {
        let state = try LuaState(limits: testLimits())
        var kept: LuaReference?
        state.register("keep") { _, arguments throws(LuaError) in
            guard arguments.isFunction(1) else { throw LuaError(kind: .runtime, message: "keep: a function, please") }
            kept = arguments.reference(1)
            return []
        }
        _ = try state.run("keep(function(n) return n * 3 end)")
        let function = try XCTUnwrap(kept)
        XCTAssertEqual(try state.call(function, [14]), [42])
        state.release(function)
    }

    func testBusyStateRefusesAReentrantCall() throws {
        let state = try LuaState(limits: testLimits())
        let inner = try state.load("return 1", chunk: "inner.lua")
        var refusal: LuaError?
        state.register("reenter") { state, _ throws(LuaError) in
            do { _ = try state.call(inner) } catch { refusal = error as? LuaError }
            do { _ = try state.load("return 2", chunk: "late.lua") } catch { XCTAssertEqual((error as? LuaError)?.kind, .unavailable) }
            return []
        }
        _ = try state.run("reenter()")
        XCTAssertEqual(refusal?.kind, .unavailable)
        XCTAssertEqual(refusal?.message, "the Lua state is busy with another call")
        XCTAssertEqual(try state.call(inner), [1], "the state works again once the call is over")
    }

    func testCloseIsRefusedWhileACallIsInFlight() throws {
        let state = try LuaState(limits: testLimits())
        var closedInside: Bool?
        state.register("close_me") { state, _ throws(LuaError) in
            closedInside = state.close()
            return [.text("still here")]
        }
        XCTAssertEqual(try state.run("return close_me()"), ["still here"])
        XCTAssertEqual(closedInside, false)
        XCTAssertTrue(state.close())
        let error = expectLuaError { _ = try state.run("return 1") }
        XCTAssertEqual(error?.kind, .unavailable)
        XCTAssertEqual(error?.message, "the Lua state is closed")
    }
}
