import Lua
import XCTest

/// Scripts that try to escape or exhaust the host. Each must end with its own
/// clear error; afterwards the process is alive, a neighbour state handles a
/// normal event correctly, and the hostile state's memory is back near where
/// it started.
final class LuaHostileTests: XCTestCase {
    /// Memory a state may keep after a hostile call and a full collection:
    /// grown internal tables (strings, registry) that Lua does not shrink at once.
    static let memorySlack = 16 << 10

    func testEveryHostileScriptEndsWithItsOwnError() throws {
        let scripts = try HostileScript.all()
        XCTAssertGreaterThanOrEqual(scripts.count, 30)
        let neighbour = try Neighbour()
        for script in scripts {
            try check(script)
            try neighbour.assertHandlesAnEvent(after: script.name)
        }
    }

    private func check(_ script: HostileScript) throws {
        let state = try LuaState(limits: testLimits())
        state.collectGarbage()
        let baseline = state.memoryInUse
        let function = try state.load(script.code, chunk: script.chunk)
        let error: LuaError
        do {
            let results = try state.call(function)
            XCTFail("\(script.name): ran to the end and returned \(results)")
            return
        } catch let caught {
            error = caught
        }
        state.release(function)
        XCTAssertEqual(error.kind, script.kind, "\(script.name): \(error)")
        XCTAssertTrue(error.message.contains(script.message), "\(script.name): \(error)")
        XCTAssertEqual(error.chunk, script.chunk, "\(script.name): \(error)")
        XCTAssertEqual(error.line, script.line, "\(script.name): \(error)")
        state.collectGarbage()
        XCTAssertLessThan(state.memoryInUse - baseline, LuaHostileTests.memorySlack,
                          "\(script.name): \(state.memoryInUse - baseline) bytes left after collection")
        XCTAssertEqual(try state.run("return 6 * 7"), [42], "\(script.name): the state itself still works")
    }
}

/// Another instance's state with a small bot, checked after every hostile script.
private final class Neighbour {
    let state: LuaState
    let handler: LuaReference

    init() throws {
        state = try LuaState(limits: testLimits())
        _ = try state.run("""
            function handle(event)
              local words = {}
              for word in event.text:gmatch("%a+") do words[#words + 1] = word:upper() end
              return table.concat(words, " "), tostring(#words), math.pi, shared_secret, type(pairs)
            end
            """, chunk: "neighbour/main.lua")
        handler = try XCTUnwrap(state.globalFunction("handle"))
    }

    func assertHandlesAnEvent(after name: String) throws {
        let event = LuaTable(["text": "bom dia, Ana"])
        let results = try state.call(handler, [.table(event)])
        XCTAssertEqual(results, ["BOM DIA ANA", "3", .number(.pi), .nil, "function"], "neighbour after \(name)")
    }
}
