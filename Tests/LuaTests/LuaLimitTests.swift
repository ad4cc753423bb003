import Lua
import XCTest

final class LuaLimitTests: XCTestCase {
    private func failure(_ code: String, limits: LuaLimits) throws -> LuaError? {
        let state = try LuaState(limits: limits)
        do {
            _ = try state.call(try state.load(code, chunk: "bot/main.lua"))
            return nil
        } catch {
            return error
        }
    }

    func test_defaultsMatchTheSpecification() {
        let limits = LuaLimits()
        XCTAssertEqual(limits.memory, 32 << 20)
        XCTAssertEqual(limits.instructionsPerCall, 10_000_000)
    }

    func test_instructionLimitNamesItselfAndTheLine() throws {
        var limits = LuaLimits()
        limits.instructionsPerCall = 200_000
        let error = try failure("local n = 0\nwhile true do n = n + 1 end", limits: limits)
        XCTAssertEqual(error?.kind, .instructionLimit)
        XCTAssertEqual(error?.description, "bot/main.lua:2: instruction limit exceeded (200000 per call)")
    }

    func test_budgetIsRenewedForEachCall() throws {
        var limits = LuaLimits()
        limits.instructionsPerCall = 300_000
        let state = try LuaState(limits: limits)
        let work = try state.load("local n = 0 for i = 1, 50000 do n = n + i end return n", chunk: "bot/main.lua")
        for _ in 0..<5 { XCTAssertEqual(try state.call(work), [.integer(1_250_025_000)]) }
    }

    func test_timeLimitStopsWhatTheInstructionCountAllows() throws {
        var limits = LuaLimits()
        limits.instructionsPerCall = 0
        limits.timePerCall = .milliseconds(50)
        let error = try failure("while true do end", limits: limits)
        XCTAssertEqual(error?.kind, .timeLimit)
        XCTAssertEqual(error?.line, 1)
    }

    func test_memoryLimitIsConfigurable() throws {
        var limits = LuaLimits()
        limits.memory = 2 << 20
        let error = try failure("local t = {}\nfor i = 1, 1e7 do t[i] = i end", limits: limits)
        XCTAssertEqual(error?.kind, .memoryLimit)
        XCTAssertEqual(error?.description, "bot/main.lua:2: memory limit exceeded (2 MiB per state)")
        XCTAssertNil(try failure("local t = {}\nfor i = 1, 1e4 do t[i] = i end", limits: limits))
    }

    func test_stringCapsAreConfigurable() throws {
        var limits = LuaLimits()
        limits.stringRepBytes = 1_000
        limits.patternSubjectBytes = 100
        limits.patternBytes = 10
        XCTAssertTrue(try failure("return ('ab'):rep(501)", limits: limits)?.message.contains("string.rep limit exceeded: 1002 bytes, the limit is 1000") ?? false)
        XCTAssertNil(try failure("return ('ab'):rep(500)", limits: limits))
        XCTAssertTrue(try failure("return ('x'):rep(101):find('y')", limits: limits)?.message.contains("pattern subject limit exceeded") ?? false)
        XCTAssertTrue(try failure("return ('x'):find('%a%a%a%a%a%a')", limits: limits)?.message.contains("pattern size limit exceeded") ?? false)
    }

    func test_everydayPatternsPass() throws {
        let state = try LuaState()
        let code = try state.load("""
        local text = ("  Quero saber o preço do plano, por favor  "):rep(2)
        local trimmed = text:match("^%s*(.-)%s*$")
        local count = select(2, text:gsub("pre", "PRE"))
        return #trimmed, count, text:find("plano", 1, true)
        """, chunk: "bot/main.lua")
        XCTAssertEqual(try state.call(code), [.integer(84), .integer(2), .integer(27), .integer(31)])
    }
}
