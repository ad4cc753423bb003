import Lua
import XCTest

/// Each limit stops the call with an error that names it and the script line,
/// and the state serves the next call normally.
final class LuaLimitTests: XCTestCase {
    func testInstructionLimitNamesItselfAndTheLine() throws {
        let state = try LuaState(limits: testLimits())
        let error = expectLuaError { _ = try state.run("local n = 0\nwhile true do n = n + 1 end", chunk: "loop.lua") }
        XCTAssertEqual(error?.kind, .instructionLimit)
        XCTAssertEqual(error?.description, "loop.lua:2: instruction limit exceeded (1000000 per call)")
        XCTAssertEqual(try state.run("return 'next event'"), ["next event"])
    }

    func testPcallCannotSwallowTheStop() throws {
        let state = try LuaState(limits: testLimits())
        let error = expectLuaError { _ = try state.run("""
            for i = 1, 100 do
              pcall(function() while true do end end)
            end
            return 'escaped'
            """, chunk: "p.lua") }
        XCTAssertEqual(error?.kind, .instructionLimit)
        XCTAssertEqual(error?.line, 2)
    }

    func testPerCallBudgetOverride() throws {
        let state = try LuaState(limits: testLimits())
        let function = try state.load("for i = 1, 2000000 do end return 'done'", chunk: "long.lua")
        XCTAssertEqual(try state.call(function, instructions: 50_000_000), ["done"])
        XCTAssertEqual(expectLuaError { _ = try state.call(function) }?.kind, .instructionLimit)
    }

    func testTimeLimitBacksUpTheInstructionCount() throws {
        var limits = testLimits()
        limits.instructionsPerCall = 0
        limits.timePerCall = .milliseconds(30)
        let state = try LuaState(limits: limits)
        let error = expectLuaError { _ = try state.run("while true do end", chunk: "t.lua") }
        XCTAssertEqual(error?.kind, .timeLimit)
        XCTAssertEqual(error?.chunk, "t.lua")
        XCTAssertEqual(error?.line, 1)
        XCTAssertTrue(error?.message.hasPrefix("time limit exceeded") ?? false, error?.message ?? "")
    }

    func testMemoryLimitStopsABombAndMemoryComesBack() throws {
        let state = try LuaState(limits: testLimits())
        state.collectGarbage()
        let baseline = state.memoryInUse
        let error = expectLuaError { _ = try state.run("""
            local t = {}
            for i = 1, 1e9 do t[i] = { i } end
            """, chunk: "bomb.lua") }
        XCTAssertEqual(error?.kind, .memoryLimit)
        XCTAssertEqual(error?.description, "bomb.lua:2: memory limit exceeded (4 MiB per state)")
        XCTAssertGreaterThan(state.memoryPeak, 3 << 20)
        state.collectGarbage()
        XCTAssertLessThan(state.memoryInUse, baseline + 16 << 10)
        XCTAssertEqual(try state.run("return #string.rep('x', 1000)"), [1000])
    }

    func testPcallCannotSwallowTheMemoryStop() throws {
        let state = try LuaState(limits: testLimits())
        let error = expectLuaError { _ = try state.run("""
            local ok = pcall(function() local t = {} for i = 1, 1e9 do t[i] = i end end)
            local s = {}
            for i = 1, 1e6 do s[i % 10] = tostring(i) end
            return ok
            """, chunk: "m.lua") }
        XCTAssertEqual(error?.kind, .memoryLimit)
        XCTAssertEqual(error?.line, 1)
    }

    func testGarbageNearTheCapIsCollectedNotFatal() throws {
        var limits = testLimits()
        limits.instructionsPerCall = 10_000_000
        let state = try LuaState(limits: limits)
        let results = try state.run("""
            local keep = {}
            for i = 1, 25 do keep[i] = string.rep(string.char(64 + i), 100000) end
            local last
            for i = 1, 300 do last = string.rep('g', 100000) .. i end
            return #keep, #last
            """)
        XCTAssertEqual(results, [25, 100_003])
    }

    func testStopInsideACoroutineNamesTheCoroutinesLine() throws {
        let state = try LuaState(limits: testLimits())
        let error = expectLuaError { _ = try state.run("""
            local co = coroutine.create(function()
              while true do end
            end)
            while true do coroutine.resume(co) end
            """, chunk: "co.lua") }
        XCTAssertEqual(error?.kind, .instructionLimit)
        XCTAssertEqual(error?.line, 2)
    }

    func testCoroutineKeptAcrossCallsIsBudgetedInTheNextCall() throws {
        let state = try LuaState(limits: testLimits())
        _ = try state.run("""
            worker = coroutine.wrap(function()
              while true do
                coroutine.yield('tick')
                local n = 0
                while true do n = n + 1 end
              end
            end)
            return worker()
            """)
        let error = expectLuaError { _ = try state.run("return worker()", chunk: "next.lua") }
        XCTAssertEqual(error?.kind, .instructionLimit)
        XCTAssertEqual(error?.chunk, "test.lua")
        XCTAssertEqual(error?.line, 5)
        XCTAssertEqual(try state.run("return 'fine'"), ["fine"])
    }

    func testStringCapsNameTheirLimit() throws {
        var limits = testLimits()
        limits.stringRepBytes = 1_000
        limits.patternSubjectBytes = 2_000
        limits.patternBytes = 20
        limits.tableMoveElements = 100
        let state = try LuaState(limits: limits)
        let cases: [(String, String)] = [
            ("string.rep('ab', 501)", "string.rep limit exceeded: 1002 bytes, the limit is 1000"),
            ("('x'):rep(10, ('y'):rep(200))", "string.rep limit exceeded: 1810 bytes, the limit is 1000"),
            ("string.rep('', 1e15)", "string.rep limit exceeded: 1000000000000000 bytes, the limit is 1000"),
            ("('x'):rep(900):rep(3)", "string.rep limit exceeded: 2700 bytes, the limit is 1000"),
            ("string.find(('x'):rep(900) .. ('y'):rep(1200), 'y')", "pattern subject limit exceeded: 2100 bytes, the limit is 2000"),
            ("string.match('abc', ('a?'):rep(11))", "pattern size limit exceeded: 22 bytes, the limit is 20"),
            ("table.move({}, 1, 101, 2)", "table.move limit exceeded: 101 elements, the limit is 100"),
        ]
        for (code, message) in cases {
            let error = expectLuaError { _ = try state.run("local x = 1\n" + code, chunk: "caps.lua") }
            XCTAssertEqual(error?.kind, .runtime, code)
            XCTAssertEqual(error?.description, "caps.lua:2: \(message)", code)
        }
        XCTAssertEqual(try state.run("return #string.rep('ab', 500), string.find(('x'):rep(1999), 'x', 1, true)"), [1000, 1, 1])
        XCTAssertEqual(try state.run("return table.move({1, 2, 3}, 1, 3, 98)[100]"), [3])
    }

    func testPatternComplexityRefusesBacktrackingBombs() throws {
        let state = try LuaState(limits: testLimits())
        let error = expectLuaError { _ = try state.run("return string.find(string.rep('a', 10000), 'a*a*a*a*b')", chunk: "re.lua") }
        XCTAssertEqual(error?.kind, .runtime)
        XCTAssertEqual(error?.chunk, "re.lua")
        XCTAssertTrue(error?.message.hasPrefix("pattern complexity limit exceeded: 'a*a*a*a*b' may take") ?? false,
                      error?.message ?? "")
        XCTAssertEqual(try state.run("return ('pedido 123'):match('^(%a+)%s+(%d+)$')"), ["pedido", "123"])
        XCTAssertEqual(try state.run("return (('a,b,c'):gsub(',', ';'))"), ["a;b;c"])
        XCTAssertEqual(try state.run("local n = 0 for w in ('um dois tres'):gmatch('%a+') do n = n + 1 end return n"), [3])
    }

    func testMalformedPatternsStillGetLuasMessage() throws {
        let state = try LuaState(limits: testLimits())
        let cases = [("%", "malformed pattern (ends with '%')"), ("[a", "malformed pattern (missing ']')"),
                     ("(", "unfinished capture"), ("%b", "malformed pattern (missing arguments to '%b')"),
                     ("%f", "missing '[' after '%f' in pattern")]
        for (pattern, message) in cases {
            let error = expectLuaError { _ = try state.run("return string.find('abc', '\(pattern)')", chunk: "m.lua") }
            XCTAssertEqual(error?.kind, .runtime, pattern)
            XCTAssertEqual(error?.description, "m.lua:1: \(message)", pattern)
        }
    }

    func testPeakMemoryIsTracked() throws {
        let state = try LuaState(limits: testLimits())
        _ = try state.run("local s = string.rep('x', 500000)")
        XCTAssertGreaterThan(state.memoryPeak, 500_000)
    }
}
