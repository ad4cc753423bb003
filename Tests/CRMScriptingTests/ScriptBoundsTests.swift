import CRMCore
import CRMScripting
import XCTest

/// The crm API copies values in and out of a bot's state within the state's
/// memory cap: a table of many references to one large string is refused
/// before the host copies it, and decoded values count against the cap.
final class ScriptBoundsTests: XCTestCase {
    private static var caps: ScriptCaps {
        var caps = ScriptCaps()
        caps.lua.memory = 8 << 20
        return caps
    }

    /// `t`: 64 references to one 2 MiB string, 128 MiB once copied out.
    private static let sharedString = """
    local s = ("x"):rep(1 << 20) .. ("y"):rep(1 << 20)
    local t = {}
    for i = 1, 64 do t[i] = s end
    """

    private func assertStopsAtTheCap(_ call: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let scene = Scene()
        let bot = try runtime("on('message', function(msg)\n\(ScriptBoundsTests.sharedString)\n\(call)\nend)",
                              caps: ScriptBoundsTests.caps)
        let outcome = bot.handle(scene.message("oi"), context: scene.context)
        XCTAssertEqual(outcome.failure?.kind, "memory limit", "\(String(describing: outcome.failure))", file: file, line: line)
        XCTAssertEqual(outcome.failure?.line, 5, "\(String(describing: outcome.failure))", file: file, line: line)
        XCTAssertEqual(outcome.actions, [], file: file, line: line)
    }

    func test_logOfAHugeValueStopsAtTheMemoryCap() throws { try assertStopsAtTheCap("crm.log.info(t)") }
    func test_logOfManyHugeArgumentsStopsAtTheMemoryCap() throws { try assertStopsAtTheCap("crm.log.info(table.unpack(t))") }
    func test_jsonEncodeOfAHugeValueStopsAtTheMemoryCap() throws { try assertStopsAtTheCap("crm.json.encode(t)") }
    func test_kvSetOfAHugeValueStopsAtTheMemoryCap() throws { try assertStopsAtTheCap("crm.kv.set('k', t)") }
    func test_replyWithAHugeTableStopsAtTheMemoryCap() throws { try assertStopsAtTheCap("msg:reply({ text = 'oi', extra = t })") }

    func test_decodedValuesCountAgainstTheMemoryCap() throws {
        let scene = Scene()
        let bot = try runtime("""
        local text = '["' .. ("x"):rep(200000) .. '"]'
        on("message", function(msg)
          if msg.text == "size" then return crm.kv.set("kb", collectgarbage("count")) end
          kept = kept or {}
          for i = 1, 60 do kept[#kept + 1] = crm.json.decode(text) end
        end)
        """, caps: ScriptBoundsTests.caps)
        for _ in 0..<3 {
            XCTAssertEqual(bot.handle(scene.message("grow"), context: scene.context).failure?.kind, "memory limit")
            let size = bot.handle(scene.message("size"), context: scene.context).actions
            guard case .kvSet(_, .number(let kilobytes)?)? = size.first else { return XCTFail("\(size)") }
            XCTAssertLessThanOrEqual(kilobytes, Double(ScriptBoundsTests.caps.lua.memory >> 10))
        }
    }
}
