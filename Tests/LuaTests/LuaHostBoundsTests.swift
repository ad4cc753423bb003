import Lua
import XCTest

/// Values crossing a host function stay within the state's memory cap: what a
/// script passes in is copied only up to the cap, and what the host returns
/// counts against it like any allocation of the script.
final class LuaHostBoundsTests: XCTestCase {
    private static var limits: LuaLimits {
        var limits = LuaLimits()
        limits.memory = 8 << 20
        return limits
    }

    /// A table holding 64 references to one 2 MiB string: 128 MiB once copied.
    private static let sharedStringTable = """
    local s = ("x"):rep(1 << 20) .. ("y"):rep(1 << 20)
    local t = {}
    for i = 1, 64 do t[i] = s end
    """

    func test_argumentsLargerThanTheMemoryCapFailTheCallBeforeTheyAreCopied() throws {
        let state = try LuaState(limits: LuaHostBoundsTests.limits)
        var received = 0
        state.register("take") { _, arguments throws(LuaError) in
            _ = try arguments.value(1)
            received += 1
            return []
        }
        let code = try state.load(LuaHostBoundsTests.sharedStringTable + "\ntake(t)", chunk: "bot/main.lua")
        XCTAssertThrowsError(try state.call(code)) { error in
            let error = error as? LuaError
            XCTAssertEqual(error?.kind, .memoryLimit, "\(String(describing: error))")
            XCTAssertEqual(error?.line, 4, "\(String(describing: error))")
        }
        XCTAssertEqual(received, 0)
    }

    func test_theCopyBoundCoversAllArgumentsOfOneCall() throws {
        let state = try LuaState(limits: LuaHostBoundsTests.limits)
        var copied = 0
        state.register("take") { _, arguments throws(LuaError) in
            for position in 1...max(arguments.count, 1) { if (try? arguments.value(position)) != nil { copied += 1 } }
            return []
        }
        let code = try state.load(LuaHostBoundsTests.sharedStringTable + "\ntake(table.unpack(t))", chunk: "bot/main.lua")
        XCTAssertThrowsError(try state.call(code)) { error in
            XCTAssertEqual((error as? LuaError)?.kind, .memoryLimit, "\(error)")
        }
        XCTAssertLessThanOrEqual(copied, 4)
    }

    func test_aCallWithinTheCapIsCopiedWhole() throws {
        let state = try LuaState(limits: LuaHostBoundsTests.limits)
        state.register("size") { _, arguments throws(LuaError) in
            guard case .table(let table) = try arguments.value(1) else { return [] }
            return [.integer(Int64(table.sequence.reduce(0) { $0 + ($1.stringValue?.utf8.count ?? 0) }))]
        }
        let code = try state.load("""
        local s = ("x"):rep(1 << 20)
        return size({ s, s, s })
        """, chunk: "bot/main.lua")
        XCTAssertEqual(try state.call(code), [.integer(3 << 20)])
    }

    func test_resultsOfHostFunctionsCountAgainstTheMemoryCap() throws {
        let state = try LuaState(limits: LuaHostBoundsTests.limits)
        let chunk = LuaValue.string(Array(repeating: 0x61, count: 1 << 20))
        state.register("fetch") { _, _ in [.table(LuaTable(sequence: [chunk, .integer(1)]))] }
        let code = try state.load("""
        kept = kept or {}
        for i = 1, 40 do kept[#kept + 1] = fetch() end
        """, chunk: "bot/main.lua")
        for _ in 0..<3 {
            XCTAssertThrowsError(try state.call(code)) { error in
                let error = error as? LuaError
                XCTAssertEqual(error?.kind, .memoryLimit, "\(String(describing: error))")
                XCTAssertEqual(error?.line, 2, "\(String(describing: error))")
            }
            state.collectGarbage()
            XCTAssertLessThanOrEqual(state.memoryInUse, LuaHostBoundsTests.limits.memory)
        }
    }
}
