import CRMCore
import CRMScripting
import CRMStore
import XCTest
@testable import CRMSessions

/// The pipeline with the real Lua scripting host.
final class PipelineLuaTests: XCTestCase {
    private var scriptsFolder: URL!

    override func setUpWithError() throws {
        scriptsFolder = FileManager.default.temporaryDirectory.appendingPathComponent("crm-bots-\(UUID().uuidString)")
        let bot = scriptsFolder.appendingPathComponent("5511999998888")
        try FileManager.default.createDirectory(at: bot, withIntermediateDirectories: true)
        try """
        on("message", function(msg)
          if msg.text == "boom" then error("exploded on purpose") end
          crm.kv.incr("seen")
          crm.tag(msg.conversation, "lead")
          msg:reply("eco: " .. msg.text)
        end)
        """.write(to: bot.appendingPathComponent("main.lua"), atomically: true, encoding: .utf8)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: scriptsFolder)
    }

    func test_luaBotRepliesThroughTheOwningInstance() async throws {
        let engine = ScriptEngine(directory: scriptsFolder)
        let harness = try PipelineHarness(scripts: engine)
        let (instance, connector) = try harness.instance(phone: "5511999998888")
        engine.instanceAppeared(instance.info)
        try await harness.pipeline.inbound(message(instance, "w1", from: "5511977770000", text: "quanto custa?"))
        try await harness.pipeline.inbound(message(instance, "w2", from: "5511977770000", text: "e o frete?"))
        try await eventually("two replies") { connector.delivered.count == 2 }
        XCTAssertEqual(connector.delivered.map(\.text), ["eco: quanto custa?", "eco: e o frete?"])
        XCTAssertEqual(connector.delivered.map(\.to), ["5511977770000", "5511977770000"])
        XCTAssertEqual(try harness.store.kv("seen", instance: instance.id), .integer(2))
        XCTAssertEqual(try harness.store.conversations(company: instance.companyID).items[0].tags, ["lead"])
        await harness.stop()
    }

    func test_luaErrorIsRecordedWithFileAndLineAndNothingIsSent() async throws {
        let engine = ScriptEngine(directory: scriptsFolder)
        let harness = try PipelineHarness(scripts: engine)
        let (instance, connector) = try harness.instance(phone: "5511999998888")
        engine.instanceAppeared(instance.info)
        try await harness.pipeline.inbound(message(instance, "w1", text: "boom"))
        let errors = try harness.store.scriptErrors(instance: instance.id)
        XCTAssertEqual(errors.count, 1)
        XCTAssertEqual(errors.first?.failure.file, "5511999998888/main.lua")
        XCTAssertEqual(errors.first?.failure.line, 2)
        XCTAssertTrue(errors.first?.failure.message.contains("exploded on purpose") == true)
        XCTAssertEqual(try harness.statistics.inboundMessages, 1)
        XCTAssertEqual(try harness.statistics.outboundMessages, 0)
        XCTAssertNil(try harness.store.kv("seen", instance: instance.id))
        XCTAssertEqual(connector.handOvers, [])
        await harness.stop()
    }
}
