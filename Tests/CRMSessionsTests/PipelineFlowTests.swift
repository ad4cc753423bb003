import CRMCore
import CRMStore
import XCTest
@testable import CRMSessions

final class PipelineFlowTests: XCTestCase {
    func test_replyIsSentThroughOwningInstance() async throws {
        let harness = try PipelineHarness()
        let (vendas, vendasConnector) = try harness.instance(phone: "5511999998888")
        let (suporte, suporteConnector) = try harness.instance(company: vendas.companyID, phone: "5511988887777")
        try await harness.pipeline.inbound(message(vendas, "j1", from: "5511911110000", text: "olá"))
        try await harness.pipeline.inbound(message(suporte, "p1", from: "5511922220000", text: "ajuda"))
        try await eventually("both replies") { vendasConnector.delivered.count == 1 && suporteConnector.delivered.count == 1 }
        XCTAssertEqual(vendasConnector.delivered.map(\.to), ["5511911110000"])
        XCTAssertEqual(vendasConnector.delivered.map(\.text), ["re: olá"])
        XCTAssertEqual(suporteConnector.delivered.map(\.to), ["5511922220000"])
        await harness.stop()
    }

    func test_sameInboundIDThreeTimesIsStoredAndAnsweredOnce() async throws {
        let scripts = ReplyingScripts()
        let harness = try PipelineHarness(scripts: scripts)
        let (instance, connector) = try harness.instance(phone: "5511999998888")
        var ids: [MessageRowID] = []
        for _ in 0..<3 { ids.append(try await harness.pipeline.inbound(message(instance, "wamid.same"))) }
        XCTAssertEqual(Set(ids).count, 1)
        try await eventually("the reply") { connector.delivered.count == 1 }
        try await eventually("the sent mark") { try harness.statistics.outbox == 0 }
        XCTAssertEqual(try harness.statistics.inboundMessages, 1)
        XCTAssertEqual(try harness.statistics.outboundMessages, 1)
        XCTAssertEqual(scripts.events.filter { $0.name == "message" }.count, 1)
        await harness.stop()
    }

    func test_badInputIsRefusedClearlyAndNothingIsStored() async throws {
        let harness = try PipelineHarness()
        let (connected, _) = try harness.instance(phone: "5511999998888")
        let idle = try harness.store.createInstance(company: connected.companyID, name: "idle")
        var ghost = connected
        ghost.id = "00000000-0000-4000-8000-000000000000"
        let cases: [(InboundMessage, InboundRejection)] = [
            (message(ghost, "w1"), .unknownInstance(ghost.id)),
            (message(idle, "w2"), .instanceNotConnected(idle.id, status: .disconnected)),
            (message(connected, "w3", text: String(repeating: "a", count: 65_537)),
             .textTooLong(whatsappID: "w3", bytes: 65_537, limit: 65_536)),
            (message(connected, ""), .missingWhatsAppID(connected.id)),
        ]
        for (bad, expected) in cases {
            do {
                try await harness.pipeline.inbound(bad)
                XCTFail("accepted \(bad.whatsappID)")
            } catch {
                XCTAssertEqual(error, expected)
            }
        }
        XCTAssertThrowsError(try InboundRejection.decodeUTF8([0x6f, 0xff, 0x69])) { error in
            XCTAssertEqual(error as? InboundRejection, .invalidUTF8(field: "text"))
        }
        XCTAssertEqual(try InboundRejection.decodeUTF8(Array("olá".utf8)), "olá")
        try await harness.pipeline.inbound(message(connected, "ok", text: String(repeating: "a", count: 65_536)))
        XCTAssertEqual(try harness.statistics.inboundMessages, 1, "only the valid message")
        XCTAssertEqual(try harness.statistics.conversations, 1)
        await harness.stop()
    }

    func test_scriptFailureStoresTheMessageRecordsTheErrorAndCommitsNoAction() async throws {
        let harness = try PipelineHarness()
        let (instance, connector) = try harness.instance(phone: "5511999998888")
        try await harness.pipeline.inbound(message(instance, "w1", text: "boom"))
        XCTAssertEqual(try harness.statistics.inboundMessages, 1)
        XCTAssertEqual(try harness.statistics.outboundMessages, 0)
        let errors = try harness.store.scriptErrors(instance: instance.id)
        XCTAssertEqual(errors.map(\.failure.file), ["main.lua"])
        XCTAssertEqual(errors.map(\.failure.line), [7])
        XCTAssertEqual(errors.map(\.event), ["message"])
        XCTAssertNil(try harness.store.kv("count", instance: instance.id))
        XCTAssertEqual(connector.handOvers, [])
        await harness.stop()
    }

    func test_scriptSendToAnotherInstancesConversationIsRefused() async throws {
        let scripts = ReplyingScripts()
        let harness = try PipelineHarness(scripts: scripts)
        let (first, firstConnector) = try harness.instance(phone: "5511999998888")
        let (second, secondConnector) = try harness.instance(company: first.companyID, phone: "5511988887777")
        let pedro = try await harness.pipeline.inbound(message(second, "p1", from: "5511933330000"))
        try await eventually("Pedro's reply") { secondConnector.delivered.count == 1 }
        let pedroConversation = try harness.store.messages(in: try conversationOf(pedro, harness, company: second.companyID),
                                                          company: second.companyID).items[0].conversationID
        scripts.hijack.withLock { $0 = pedroConversation }
        try await harness.pipeline.inbound(message(first, "j1", from: "5511944440000"))
        let errors = try harness.store.scriptErrors(instance: first.id)
        XCTAssertEqual(errors.count, 1)
        XCTAssertTrue(errors[0].failure.message.contains("does not belong to instance \(first.id)"))
        XCTAssertNil(try harness.store.kv("count", instance: first.id), "no action of the event committed")
        try await Task.sleep(for: .milliseconds(100))
        XCTAssertEqual(secondConnector.delivered.count, 1)
        XCTAssertEqual(firstConnector.handOvers, [])
        await harness.stop()
    }

    func test_kvReadsSeeEarlierWritesOfTheSameBatch() async throws {
        let harness = try PipelineHarness()
        let (instance, _) = try harness.instance(phone: "5511999998888")
        let pipeline = harness.pipeline
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<200 {
                group.addTask { try await pipeline.inbound(message(instance, "w\(index)", from: "55119\(index)")) }
            }
            try await group.waitForAll()
        }
        XCTAssertEqual(try harness.store.kv("count", instance: instance.id), .integer(200))
        await harness.stop()
    }

    func test_writerCountsItsCommitsAndItsCPUTime() async throws {
        let harness = try PipelineHarness()
        let (instance, _) = try harness.instance(phone: "5511999998888")
        let pipeline = harness.pipeline
        let (batchesBefore, cpuBefore) = (pipeline.writerBatches, pipeline.writerCPUTime)
        // Each message is handed in once the previous one is committed, so each is a batch of its own.
        for index in 0..<3 { try await pipeline.inbound(message(instance, "w\(index)")) }
        try await eventually("three more commits") { pipeline.writerBatches >= batchesBefore + 3 }
        XCTAssertGreaterThan(pipeline.writerCPUTime, cpuBefore)
        await harness.stop()
    }

    func test_operatorSendLeavesFromTheConversationsInstanceOnly() async throws {
        let harness = try PipelineHarness()
        let (instance, connector) = try harness.instance(phone: "5511999998888")
        let (rival, _) = try harness.instance(phone: "5511988887777")
        let stored = try await harness.pipeline.inbound(message(instance, "w1"))
        let conversation = try conversationOf(stored, harness, company: instance.companyID)
        XCTAssertThrowsError(try harness.pipeline.send(OutgoingContent(text: "x"), to: conversation, company: rival.companyID)) {
            XCTAssertEqual($0 as? StoreError, .conversationNotFound(conversation))
        }
        let queued = try harness.pipeline.send(OutgoingContent(text: "from a human"), to: conversation, company: instance.companyID)
        XCTAssertEqual(queued.instanceID, instance.id)
        try await eventually("the operator's message") { connector.delivered.contains { $0.text == "from a human" } }
        await harness.stop()
    }
}

func conversationOf(_ message: MessageRowID, _ harness: PipelineHarness, company: Int64) throws -> ConversationID {
    try harness.store.conversations(company: company).items.first {
        (try? harness.store.messages(in: $0.conversation.id, company: company).items.contains { $0.id == message }) == true
    }!.conversation.id
}
