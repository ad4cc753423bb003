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
