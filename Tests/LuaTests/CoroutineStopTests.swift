import Lua
import XCTest

/// A coroutine stopped by a limit is left with its hooks off by Lua, so none of
/// its code may run again: not in the call that stopped it, not in a later one.
final class CoroutineStopTests: XCTestCase {
    private static let bot = """
    closed = false
    local function guarded()
      local guard <close> = setmetatable({}, { __close = function() closed = true while true do end end })
      while true do end
    end
    co = coroutine.create(guarded)
    spin = coroutine.wrap(guarded)
    function stop_created() coroutine.resume(co) end
    function stop_wrapped() spin() end
    function close_created() return coroutine.close(co) end
    function call_wrapped_again() return pcall(spin) end
    """

    private func stoppedState(by stopper: String) throws -> LuaState {
        var limits = LuaLimits()
        limits.instructionsPerCall = 200_000
        let state = try LuaState(limits: limits)
        _ = try state.call(try state.load(CoroutineStopTests.bot, chunk: "bot/main.lua"))
        XCTAssertThrowsError(try state.call(XCTUnwrap(state.globalFunction(stopper)))) { error in
            XCTAssertEqual((error as? LuaError)?.kind, .instructionLimit, "\(error)")
        }
        return state
    }

    private func callBounded(_ state: LuaState, _ name: String) throws -> [LuaValue] {
        let function = try XCTUnwrap(state.globalFunction(name))
        let outcome = BoundedRun.run(within: 20) { () -> Result<[LuaValue], LuaError> in
            Result { () throws(LuaError) -> [LuaValue] in try state.call(function) }
        }
        return try XCTUnwrap(outcome, "\(name) still runs after 20 s").get()
    }

    func test_closingACoroutineStoppedInAnEarlierCallRunsNoHandler() throws {
        let state = try stoppedState(by: "stop_created")
        let results = try callBounded(state, "close_created")
        XCTAssertEqual(results.first, .boolean(false))
        XCTAssertTrue(results.last?.stringValue?.contains("stopped by a limit") ?? false, "\(results)")
        let closed = try state.call(try state.load("return closed", chunk: "check"))
        XCTAssertEqual(closed, [.boolean(false)])
    }

    func test_callingAWrapStoppedInAnEarlierCallRunsNoHandler() throws {
        let state = try stoppedState(by: "stop_wrapped")
        let results = try callBounded(state, "call_wrapped_again")
        XCTAssertEqual(results.first, .boolean(false))
        XCTAssertTrue(results.last?.stringValue?.contains("cannot resume dead coroutine") ?? false, "\(results)")
        let closed = try state.call(try state.load("return closed", chunk: "check"))
        XCTAssertEqual(closed, [.boolean(false)])
    }

    func test_coroutinesStillCloseTheirVariablesWhenNothingStoppedThem() throws {
        let state = try LuaState()
        let code = try state.load("""
        local log = {}
        local co = coroutine.create(function()
          local guard <close> = setmetatable({}, { __close = function() log[#log + 1] = "closed co" end })
          coroutine.yield(1)
        end)
        coroutine.resume(co)
        local ok = coroutine.close(co)
        local spin = coroutine.wrap(function()
          local guard <close> = setmetatable({}, { __close = function() log[#log + 1] = "closed wrap" end })
          error("boom")
        end)
        local _, message = pcall(spin)
        return ok, table.concat(log, ","), message, coroutine.status(co)
        """, chunk: "bot/main.lua")
        let results = try state.call(code)
        XCTAssertEqual(results.prefix(2), [.boolean(true), .text("closed co,closed wrap")])
        XCTAssertTrue(results[2].stringValue?.hasSuffix("bot/main.lua:10: boom") ?? false, "\(results)")
        XCTAssertEqual(results[3], .text("dead"))
    }
}
