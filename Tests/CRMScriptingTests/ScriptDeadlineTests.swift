import CRMCore
import CRMScripting
import Foundation
import XCTest

/// The worst cases a handler can reach for to hold its thread (the pipeline's
/// writer, an event loop) past its deadline: C loops that run no VM
/// instruction, single instructions whose work grows with a string, host calls,
/// and code that would run on a coroutine whose hooks a stop left off. Each
/// runs with no instruction budget, so only the deadline stops it, and must
/// give its thread back within the deadline plus 100 ms.
final class ScriptDeadlineTests: XCTestCase {
    private static let deadline = Duration.milliseconds(300)
    private static let slack = Duration.milliseconds(100)

    /// Builds `s`, a 4 MiB string of `x`, and `spaces`, 4 MiB of spaces and a 1.
    private static let strings = """
    local s = ("x"):rep(1 << 20) .. ("x"):rep(1 << 20)
    s = s .. s
    local spaces = (" "):rep(1 << 20) .. (" "):rep(1 << 20)
    spaces = spaces .. spaces .. "1"
    """

    private static let million = "local t = {} for i = 1, 1000000 do t[i] = -i end"

    static let worstCases: [(name: String, body: String)] = [
        ("sort with a C comparator", "\(million) while true do table.sort(t, math.ult) end"),
        ("sort with rawequal", "\(million) while true do table.sort(t, rawequal) end"),
        ("insert and remove at the front", "\(million) while true do table.insert(t, 1, 0) table.remove(t, 1) end"),
        ("upper of a long string", "\(strings) while true do local u = s:upper() end"),
        ("utf8.len of a long string", "\(strings) while true do local n = utf8.len(s) end"),
        ("string.pack of a long string", "\(strings) while true do local p = string.pack('s4', s) end"),
        ("string.unpack of a long string", "\(strings) local p = string.pack('s4', s) while true do local u = string.unpack('s4', p) end"),
        ("tonumber of long spaces", "\(strings) while true do local n = tonumber(spaces) end"),
        ("arithmetic on long spaces", "\(strings) while true do local n = spaces + 1 end"),
        ("comparing long strings", "\(strings) local a, b = s .. 'a', s .. 'b' while a < b do end"),
        ("equal long strings", "\(strings) local a, b = s .. 'a', s .. 'a' while a == b do end"),
        ("concatenating long strings", "\(strings) while true do local c = s .. 'z' end"),
        ("table.concat of long strings", "\(strings) while true do local c = table.concat({ s, s }) end"),
        ("string.rep at its cap", "while true do local r = ('x'):rep(1 << 20) end"),
        ("a backtracking pattern", "local a = ('a'):rep(100000) while true do a:find('a-a-a-a-a-b') end"),
        ("copying many varargs", """
            local big = {} for i = 1, 200000 do big[i] = i end
            local function f(...) while true do local copy = { ... } end end
            f(table.unpack(big))
            """),
        ("a host call in a loop", "local text = '[' .. ('0,'):rep(20000) .. '0]' while true do crm.json.decode(text) end"),
        ("garbage in a loop", "local t = {} local i = 0 while true do i = i + 1 t[i % 100000 + 1] = { i } end"),
        ("a loop in the __close of a stopped wrap", """
            local spin = coroutine.wrap(function()
              local guard <close> = setmetatable({}, { __close = function() while true do end end })
              while true do end
            end)
            spin()
            """),
        ("a loop in the __close of a stopped coroutine", """
            local co = coroutine.create(function()
              local guard <close> = setmetatable({}, { __close = function() while true do end end })
              while true do end
            end)
            coroutine.resume(co)
            coroutine.close(co)
            """),
        ("a loop in an xpcall handler", "xpcall(function() while true do end end, function() while true do end end)"),
    ]

    private static var caps: ScriptCaps {
        var caps = ScriptCaps()
        caps.lua.instructionsPerCall = 0
        caps.lua.timePerCall = deadline
        return caps
    }

    func test_everyWorstCaseGivesItsThreadBackByTheDeadline() throws {
        for (name, body) in ScriptDeadlineTests.worstCases {
            let scene = Scene()
            let bot = try runtime("on('message', function(msg)\n\(body)\nend)", caps: ScriptDeadlineTests.caps)
            let timed = BoundedRun.run(within: 20) { () -> (ScriptOutcome, Duration) in
                let clock = ContinuousClock()
                let start = clock.now
                let outcome = bot.handle(scene.message("oi"), context: scene.context)
                return (outcome, clock.now - start)
            }
            guard let (outcome, elapsed) = timed else {
                XCTFail("\(name): still running after 20 s")
                continue
            }
            XCTAssertNotNil(outcome.failure, "\(name) ended normally")
            XCTAssertLessThanOrEqual(elapsed, ScriptDeadlineTests.deadline + ScriptDeadlineTests.slack,
                                     "\(name): \(outcome.failure?.kind ?? "") after \(elapsed)")
        }
    }

    func test_loadingGivesItsThreadBackByTheDeadline() throws {
        var caps = ScriptDeadlineTests.caps
        caps.loadInstructions = 0
        let main = ScriptDeadlineTests.worstCases.first { $0.name == "a loop in the __close of a stopped wrap" }!.body
        let timed = BoundedRun.run(within: 20) { () -> (ScriptFailure?, Duration) in
            let clock = ContinuousClock()
            let start = clock.now
            do {
                _ = try runtime(main, caps: caps)
                return (nil, clock.now - start)
            } catch {
                return (error as? ScriptFailure, clock.now - start)
            }
        }
        let (failure, elapsed) = try XCTUnwrap(timed, "main.lua still loads after 20 s")
        XCTAssertEqual(failure?.kind, "time limit")
        XCTAssertLessThanOrEqual(elapsed, ScriptDeadlineTests.deadline + ScriptDeadlineTests.slack)
    }
}
