import CRMCore
import CRMStore
import XCTest
@testable import CRMSessions

final class PipelineDeliveryTests: XCTestCase {
    func test_sendConfirmationAndReceiptsReachScriptsAsStatusEvents() async throws {
        let scripts = ReplyingScripts()
        let harness = try PipelineHarness(scripts: scripts)
        let (instance, connector) = try harness.instance(phone: "5511999998888")
        try await harness.pipeline.inbound(message(instance, "w1"))
        try await eventually("the sent status event") { scripts.statuses.contains { $0.status == .sent } }
        let providerID = "p-\(instance.id.prefix(8))-\(connector.delivered[0].key)"
        harness.pipeline.receipt(instance.id, providerMessageID: providerID, status: .delivered, reason: nil)
        harness.pipeline.receipt(instance.id, providerMessageID: providerID, status: .read, reason: nil)
        try await eventually("the read status event") { scripts.statuses.contains { $0.status == .read } }
        XCTAssertEqual(scripts.statuses.map(\.status), [.sent, .delivered, .read])
        XCTAssertEqual(scripts.statuses.last?.messageID, providerID)
        let statuses = harness.changes.withLock { $0 }.compactMap { change -> DeliveryStatus? in
            if case .statusChanged(let message, _) = change { return message.status } else { return nil }
        }
        XCTAssertEqual(statuses, [.sent, .delivered, .read])
        await harness.stop()
    }

    func test_retryableFailuresAreRetriedWithTheSameKey() async throws {
        let harness = try PipelineHarness()
        let (instance, connector) = try harness.instance(phone: "5511999998888")
        connector.failNext([SendFailure(reason: "network down", retryable: true),
                            SendFailure(reason: "network down", retryable: true)])
        try await harness.pipeline.inbound(message(instance, "w1"))
        try await eventually("the reply") { connector.delivered.count == 1 }
        XCTAssertEqual(connector.handOvers.count, 3)
        XCTAssertEqual(Set(connector.handOvers).count, 1, "every retry carries the same idempotency key")
        await harness.stop()
    }

    func test_sendFailsWithReasonAfterMaxAttempts() async throws {
        var configuration = PipelineHarness.fast
        configuration.maxSendAttempts = 3
        let scripts = ReplyingScripts()
        let harness = try PipelineHarness(scripts: scripts, configuration: configuration)
        let (instance, connector) = try harness.instance(phone: "5511999998888")
        connector.failNext(Array(repeating: SendFailure(reason: "gateway 503", retryable: true), count: 5))
        let stored = try await harness.pipeline.inbound(message(instance, "w1"))
        try await eventually("the failed status") { scripts.statuses.contains { $0.status == .failed } }
        XCTAssertEqual(connector.handOvers.count, 3)
        let conversation = try conversationOf(stored, harness, company: instance.companyID)
        let reply = try harness.store.messages(in: conversation, company: instance.companyID).items[0]
        XCTAssertEqual(reply.status, .failed)
        XCTAssertEqual(reply.reason, "gateway 503 (gave up after 3 attempts)")
        XCTAssertEqual(try harness.statistics.outbox, 0)
        await harness.stop()
    }

    func test_permanentFailureIsNotRetried() async throws {
        let scripts = ReplyingScripts()
        let harness = try PipelineHarness(scripts: scripts)
        let (instance, connector) = try harness.instance(phone: "5511999998888")
        connector.failNext([SendFailure(reason: "recipient not on WhatsApp", retryable: false)])
        try await harness.pipeline.inbound(message(instance, "w1"))
        try await eventually("the failed status") { scripts.statuses.contains { $0.status == .failed } }
        XCTAssertEqual(connector.handOvers.count, 1)
        XCTAssertEqual(scripts.statuses.last?.reason, "recipient not on WhatsApp")
        await harness.stop()
    }

    func test_sendsWaitWhileTheInstanceHasNoConnector() async throws {
        let harness = try PipelineHarness()
        let (instance, connector) = try harness.instance(phone: "5511999998888")
        harness.connectors.withLock { $0[instance.id] = nil }
        try await harness.pipeline.inbound(message(instance, "w1"))
        try await Task.sleep(for: .milliseconds(100))
        XCTAssertEqual(try harness.statistics.outbox, 1, "still queued")
        harness.connectors.withLock { $0[instance.id] = connector }
        try await eventually("the reply once connected") { connector.delivered.count == 1 }
        await harness.stop()
    }

    func test_sendRateIsLimitedPerInstance() async throws {
        var configuration = PipelineHarness.fast
        configuration.sendsPerSecond = 20
        let harness = try PipelineHarness(configuration: configuration)
        let (instance, connector) = try harness.instance(phone: "5511999998888")
        let started = ContinuousClock.now
        for index in 0..<6 { try await harness.pipeline.inbound(message(instance, "w\(index)", from: "551190000\(index)")) }
        try await eventually("six replies") { connector.delivered.count == 6 }
        XCTAssertGreaterThanOrEqual(ContinuousClock.now - started, .milliseconds(250), "six sends at 20/s need five gaps of 50 ms")
        await harness.stop()
    }
}

extension ReplyingScripts {
    var statuses: [StatusEvent] {
        events.compactMap { if case .status(let status) = $0 { return status } else { return nil } }
    }
}

/// A reply the lane has no room for waits in the outbox; the next replies of
/// its instance wait behind it, so the recipient reads them in order.
final class PipelineSendOrderTests: XCTestCase {
    func test_repliesLeaveInTheOrderQueuedWhenTheLaneIsFull() async throws {
        var configuration = PipelineHarness.fast
        configuration.maxSendsInFlightPerInstance = 2
        let harness = try PipelineHarness(scripts: ThreeReplies(), configuration: configuration)
        let (instance, _) = try harness.instance(phone: "5511999998888")
        let phone = SlowConnector()
        harness.connectors.withLock { $0[instance.id] = nil }
        let pipeline = MessagePipeline(store: harness.store, scripts: ThreeReplies(), configuration: configuration,
                                       connectors: { $0 == instance.id ? phone : nil })
        await harness.stop()
        try pipeline.start()
        for round in 1...3 {
            try await pipeline.inbound(message(instance, "w\(round)", text: "\(round)"))
        }
        try await eventually("nine replies") { phone.texts.count == 9 }
        XCTAssertEqual(phone.texts, ["1a", "1b", "1c", "2a", "2b", "2c", "3a", "3b", "3c"])
        await pipeline.stop()
    }
}

/// Answers every message with three replies, `<text>a`, `<text>b`, `<text>c`.
private struct ThreeReplies: ScriptHost {
    func handle(_ event: ScriptEvent, context: ScriptContext) -> ScriptOutcome {
        guard case .message(let message) = event else { return .none }
        return ScriptOutcome(actions: ["a", "b", "c"].map { suffix in
            .send(conversation: message.conversation, content: OutgoingContent(text: message.text + suffix))
        })
    }
}

/// A connector that takes a while per send and records the texts in the order sent.
private final class SlowConnector: Connector, Sendable {
    private let sent = Locked<[String]>([])
    var texts: [String] { sent.withLock { $0 } }

    func start(sink: ConnectorSink) async throws {}
    func stop() async {}
    func logout() async {}
    func send(_ message: OutgoingMessage) async throws(SendFailure) -> String {
        try? await Task.sleep(for: .milliseconds(30))
        sent.withLock { $0.append(message.content.text ?? "") }
        return "p-\(message.idempotencyKey)"
    }
}
