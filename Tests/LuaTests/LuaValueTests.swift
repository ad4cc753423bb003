import Lua
import XCTest

/// Values cross the boundary unchanged, within depth and cycle limits.
final class LuaValueTests: XCTestCase {
    func testScalarsRoundTrip() throws {
        let state = try LuaState(limits: testLimits())
        let values: [LuaValue] = [.nil, true, false, 0, -7, .integer(.max), .integer(.min), 1.5, -0.25, "olá", ""]
        let echoed = try state.run("return ...", values)
        XCTAssertEqual(echoed, values)
    }

    func testBinaryStringsKeepEveryByte() throws {
        let state = try LuaState(limits: testLimits())
        let bytes: [UInt8] = [0, 255, 0xC3, 0x28, 10, 0, 1]
        let results = try state.run("local s = ... return s, #s, s:byte(2)", [.string(bytes)])
        XCTAssertEqual(results, [.string(bytes), 7, 255])
        XCTAssertNil(results[0].stringValue, "invalid UTF-8 is not text")
    }

    func testIntegersAndFloatsStayDistinct() throws {
        let state = try LuaState(limits: testLimits())
        let results = try state.run("return 3, 3.0, 7 // 2, 7 / 2, nil, 2^53")
        XCTAssertEqual(results[0], .integer(3))
        XCTAssertEqual(results[1], .number(3.0))
        XCTAssertEqual(results[2], .integer(3))
        XCTAssertEqual(results[3], .number(3.5))
        XCTAssertEqual(results[4], .nil)
        XCTAssertEqual(results[5], .number(9_007_199_254_740_992))
        XCTAssertEqual(try state.run("return math.type(...)", [.number(2)]), ["float"])
        XCTAssertEqual(try state.run("return math.type(...)", [.integer(2)]), ["integer"])
    }

    func testNestedTablesRoundTrip() throws {
        let state = try LuaState(limits: testLimits())
        var inner = LuaTable(["name": "João", "age": 42])
        inner.sequence = ["a", 2, 3.5]
        var outer = LuaTable(["inner": .table(inner), "flag": true])
        outer.fields[.integer(100)] = "sparse"
        outer.sequence = [.table(LuaTable(sequence: [1, 2])), "x"]
        let echoed = try state.run("return ...", [.table(outer)])
        XCTAssertEqual(echoed, [.table(outer)])
        let reads = try state.run("""
            local t = ...
            return t.inner.name, t.inner[3], t[100], #t, t[1][2]
            """, [.table(outer)])
        XCTAssertEqual(reads, ["João", 3.5, "sparse", 2, 2])
    }

    func testTablesBuiltInLuaSplitSequenceAndFields() throws {
        let state = try LuaState(limits: testLimits())
        let value = try state.evaluate("return { 'a', 'b', x = 1, [2.5] = true, [10] = 'far' }")
        let table = try XCTUnwrap(value.tableValue)
        XCTAssertEqual(table.sequence, ["a", "b"])
        XCTAssertEqual(table["x"], 1)
        XCTAssertEqual(table.fields[.number(2.5)], true)
        XCTAssertEqual(table.fields[.integer(10)], "far")
    }

    func testDepthLimitRefusesDeepNesting() throws {
        var limits = testLimits()
        limits.valueDepth = 8
        let state = try LuaState(limits: limits)
        XCTAssertNoThrow(try state.evaluate("local t = {} for i = 1, 6 do t = { t } end return t"))
        let error = expectLuaError { _ = try state.evaluate("local t = {} for i = 1, 20 do t = { t } end return t") }
        XCTAssertEqual(error?.kind, .conversion)
        XCTAssertEqual(error?.message, "table nested deeper than 8 levels")
    }

    func testCyclesAreRefusedButSharingIsNot() throws {
        let state = try LuaState(limits: testLimits())
        let error = expectLuaError { _ = try state.evaluate("local t = {} t.self = t return t") }
        XCTAssertEqual(error?.kind, .conversion)
        XCTAssertEqual(error?.message, "table refers to itself (a cycle)")
        let shared = try state.evaluate("local s = { 1 } return { a = s, b = s }")
        XCTAssertEqual(shared.tableValue?["a"], shared.tableValue?["b"])
    }

    func testEntryBudgetBoundsSharedSubtables() throws {
        var limits = testLimits()
        limits.valueEntries = 1_000
        let state = try LuaState(limits: limits)
        let error = expectLuaError { _ = try state.evaluate("""
            local t = { 1, 2 }
            for i = 1, 30 do t = { t, t } end
            return t
            """) }
        XCTAssertEqual(error?.kind, .conversion)
        XCTAssertEqual(error?.message, "table has more than 1000 entries")
        let many = expectLuaError { _ = try state.run("return table.unpack({}, 1, 5000)") }
        XCTAssertEqual(many?.message, "more than 1000 values returned")
    }

    func testFunctionsCannotLeaveTheScript() throws {
        let state = try LuaState(limits: testLimits())
        let error = expectLuaError { _ = try state.evaluate("return { f = print }") }
        XCTAssertEqual(error?.kind, .conversion)
        XCTAssertEqual(error?.message, "a function value cannot leave the script")
    }

    func testNilAndNaNKeysAreSkippedOnTheWayIn() throws {
        let state = try LuaState(limits: testLimits())
        let table = LuaTable(sequence: [], fields: [.number(.nan): 1, "ok": 2])
        XCTAssertEqual(try state.run("local t = ... local n = 0 for _ in pairs(t) do n = n + 1 end return n, t.ok", [.table(table)]), [1, 2])
    }
}
