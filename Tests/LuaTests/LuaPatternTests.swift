import Lua
import XCTest

/// The sandbox's pattern functions (find, match, gmatch, gsub) run on its own
/// step-budgeted matcher; scripts must not notice: every result, capture,
/// count and error message is Lua 5.4's.
final class LuaPatternTests: XCTestCase {
    func test_patternFunctionsGiveLuaResults() throws {
        let cases = LuaPatternCases.all
        XCTAssertGreaterThanOrEqual(cases.count, 80)
        let lines = try PatternConformance.sandboxLines(cases.map(\.expression))
        XCTAssertEqual(lines.count, cases.count)
        for (patternCase, line) in zip(cases, lines) {
            XCTAssertEqual(line, patternCase.expected, patternCase.expression)
        }
    }

    func test_patternFunctionsAgreeWithTheReferenceInterpreter() throws {
        guard let interpreter = PatternConformance.referenceInterpreter else {
            throw XCTSkip("Lua 5.4's interpreter is not installed")
        }
        let expressions = LuaPatternCases.all.map(\.expression)
        let reference = try PatternConformance.referenceLines(expressions, interpreter: interpreter)
        let sandbox = try PatternConformance.sandboxLines(expressions)
        XCTAssertEqual(reference.count, expressions.count)
        for (index, expression) in expressions.enumerated() where index < reference.count && index < sandbox.count {
            XCTAssertEqual(sandbox[index], reference[index], expression)
        }
    }

    func test_trimOfA200KiBTextSucceeds() throws {
        let state = try LuaState()
        let code = try state.load("""
        local text = "  " .. ("palavra "):rep(25600) .. "  "
        local trimmed = text:match("^%s*(.-)%s*$")
        return #text, #trimmed, trimmed:sub(-7)
        """, chunk: "bot/main.lua")
        XCTAssertEqual(try state.call(code), [.integer(204_804), .integer(204_799), .text("palavra")])
    }

    func test_everydayPatternsOnLongTextsStayWellInsideTheBudget() throws {
        var limits = LuaLimits()
        limits.instructionsPerCall = 1_000_000
        let state = try LuaState(limits: limits)
        let code = try state.load("""
        local text = ("Pedido #1234 de Maria: 2x pizza, entregar às 19h. "):rep(4000)
        local orders = 0
        for number in text:gmatch("#(%d+)") do orders = orders + 1 end
        local words = select(2, text:gsub("%f[%w]%w+", ""))
        local first = text:match("^%s*(.-)%s*$"):find("pizza", 1, true)
        return orders, words, first
        """, chunk: "bot/main.lua")
        XCTAssertEqual(try state.call(code), [.integer(4000), .integer(36_000), .integer(27)])
    }

    /// A lazy chain that backtracks through every split of its subject; the
    /// find is on line 2.
    static let backtrackingFind = """
        local subject = string.rep("a", 5000)
        return subject:find(".-.-.-.-.-.-b")
        """

    func test_backtrackingPatternStopsAtTheInstructionLimit() throws {
        var limits = LuaLimits()
        limits.instructionsPerCall = 1_000_000
        let state = try LuaState(limits: limits)
        let code = try state.load(Self.backtrackingFind, chunk: "bot/main.lua")
        XCTAssertThrowsError(try state.call(code)) { error in
            let error = error as? LuaError
            XCTAssertEqual(error?.kind, .instructionLimit)
            XCTAssertEqual(error?.description, "bot/main.lua:2: instruction limit exceeded (1000000 per call)")
        }
    }

    func test_backtrackingPatternStopsAtTheTimeLimitWithoutAnInstructionLimit() throws {
        var limits = LuaLimits()
        limits.instructionsPerCall = 0
        limits.timePerCall = .milliseconds(50)
        let state = try LuaState(limits: limits)
        let code = try state.load(Self.backtrackingFind, chunk: "bot/main.lua")
        XCTAssertThrowsError(try state.call(code)) { error in
            let error = error as? LuaError
            XCTAssertEqual(error?.kind, .timeLimit)
            XCTAssertEqual(error?.line, 2)
        }
    }

    func test_gsubCallbackRunsUnderTheBudgetBetweenMatches() throws {
        let state = try LuaState()
        let code = try state.load("""
        local seen = {}
        local out, n = ("a1b22c333"):gsub("%d+", function(digits)
          seen[#seen + 1] = #digits
          return ("<%s>"):format(digits:gsub("%d", "#"))
        end)
        return out, n, table.concat(seen, ",")
        """, chunk: "bot/main.lua")
        XCTAssertEqual(try state.call(code), [.text("a<#>b<##>c<###>"), .integer(3), .text("1,2,3")])
    }
}
