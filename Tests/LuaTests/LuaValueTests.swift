import Lua
import XCTest

final class LuaValueTests: XCTestCase {
    private func echo(_ values: [LuaValue]) throws -> [LuaValue] {
        let state = try LuaState()
        let identity = try state.load("return ...", chunk: "echo.lua")
        return try state.call(identity, values)
    }

    func test_valuesRoundTripUnchanged() throws {
        let nested = LuaValue.table(LuaTable(sequence: [1, "two", .table(LuaTable(["deep": true]))],
                                             fields: [.text("name"): "Ana", .integer(10): 2.5]))
        let values: [LuaValue] = [nil, true, false, 42, -0.5, .string([0, 255, 10, 13]), nested]
        XCTAssertEqual(try echo(values), values)
    }

    func test_integersAndFloatsKeepTheirSubtype() throws {
        let state = try LuaState()
        let numbers = try state.load("return 1, 1.0, 2^53, 7 // 2, 7 / 2, math.maxinteger", chunk: "numbers.lua")
        XCTAssertEqual(try state.call(numbers), [.integer(1), .number(1.0), .number(9_007_199_254_740_992),
                                                 .integer(3), .number(3.5), .integer(.max)])
    }

    func test_binaryStringsAreBytesNotText() throws {
        let state = try LuaState()
        let bytes = try state.load("return string.char(0, 200, 65), #select(1, ...)", chunk: "bytes.lua")
        XCTAssertEqual(try state.call(bytes, [.string([0xff, 0x00])]), [.string([0, 200, 65]), .integer(2)])
    }

    func test_tooDeepTableIsRefusedOnTheWayOut() throws {
        var limits = LuaLimits()
        limits.valueDepth = 8
        let state = try LuaState(limits: limits)
        let deep = try state.load("local t = {} for i = 1, 20 do t = { t } end return t", chunk: "deep.lua")
        XCTAssertThrowsError(try state.call(deep)) { error in
            XCTAssertEqual((error as? LuaError)?.kind, .conversion)
            XCTAssertEqual((error as? LuaError)?.message, "table nested deeper than 8 levels")
        }
    }

    func test_sharedTableIsNotMistakenForACycle() throws {
        let state = try LuaState()
        let shared = try state.load("local s = { 1 } return { s, s }", chunk: "shared.lua")
        let one = LuaValue.table(LuaTable(sequence: [1]))
        XCTAssertEqual(try state.call(shared), [.table(LuaTable(sequence: [one, one]))])
    }

    func test_tooManyEntriesAreRefusedOnTheWayOut() throws {
        var limits = LuaLimits()
        limits.valueEntries = 100
        let state = try LuaState(limits: limits)
        let wide = try state.load("local t = {} for i = 1, 500 do t['k' .. i] = i end return t", chunk: "wide.lua")
        XCTAssertThrowsError(try state.call(wide)) { error in
            XCTAssertEqual((error as? LuaError)?.kind, .conversion)
            XCTAssertEqual((error as? LuaError)?.message, "table has more than 100 entries")
        }
    }
}
