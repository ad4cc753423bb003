import CRMCore
import CRMStore
import Foundation
import XCTest
@testable import CRMSessions

final class PipelineOutboxTests: XCTestCase {
    func test_retryableFailuresAreRetriedWithTheSameKeyUntilSent() async throws {
        let fixture = try PipelineFixture(host: .echo())
        fixture.vendasPhone.failNext(2, with: SendFailure(reason: "HTTP 503", retryable: true))
        try await fixture.pipeline.inbound(fixture.message(to: fixture.vendas, id: "v1", from: "5511911112222"))
        try await eventually { fixture.vendasPhone.deliveries.count == 1 }
        XCTAssertEqual(fixture.vendasPhone.attempts, 3)
        let joao = try fixture.conversation(of: fixture.vendas, contact: "5511911112222")
        try await eventually { try fixture.messages(of: joao).last?.status == "sent" }
        await fixture.pipeline.shutdown()
    }

    func test_sendIsFailedWithTheReasonAfterTheLastAttempt() async throws {
        let host = SwiftScriptHost.echo()
        let fixture = try PipelineFixture(host: host) { $0.maximumSendAttempts = 3 }
        fixture.vendasPhone.failNext(100, with: SendFailure(reason: "HTTP 503", retryable: true))
        try await fixture.pipeline.inbound(fixture.message(to: fixture.vendas, id: "v1", from: "5511911112222"))
        let joao = try fixture.conversation(of: fixture.vendas, contact: "5511911112222")
        try await eventually { try fixture.messages(of: joao).last?.status == "failed" }
        XCTAssertEqual(fixture.vendasPhone.attempts, 3)
        XCTAssertEqual(try fixture.messages(of: joao).last?.reason, "HTTP 503 (gave up after 3 attempts)")
        XCTAssertEqual(try fixture.store.outboxCount(), 0)
        try await eventually {
            host.events(of: fixture.vendas.id).contains { if case .status(let s) = $0 { return s.status == .failed } else { return false } }
        }
        await fixture.pipeline.shutdown()
    }

    func test_permanentFailureIsFailedAtOnce() async throws {
        let fixture = try PipelineFixture(host: .echo())
        fixture.vendasPhone.failNext(1, with: SendFailure(reason: "recipient is not on WhatsApp", retryable: false))
        try await fixture.pipeline.inbound(fixture.message(to: fixture.vendas, id: "v1", from: "5511911112222"))
        let joao = try fixture.conversation(of: fixture.vendas, contact: "5511911112222")
        try await eventually { try fixture.messages(of: joao).last?.status == "failed" }
        XCTAssertEqual(try fixture.messages(of: joao).last?.reason, "recipient is not on WhatsApp")
        XCTAssertEqual(fixture.vendasPhone.attempts, 1)
        await fixture.pipeline.shutdown()
    }

    func test_sendsOfOneInstanceAreLimitedToItsRate() async throws {
        let fixture = try PipelineFixture(host: .echo()) { $0.sendsPerSecond = 10 }
        let start = ContinuousClock.now
        for index in 0..<20 {
            try await fixture.pipeline.inbound(fixture.message(to: fixture.vendas, id: "v\(index)", from: "5511911112222"))
        }
        try await eventually { fixture.vendasPhone.deliveries.count == 20 }
        // A burst of one second's worth, then 10 a second: the 20th cannot leave before ~1 s.
        XCTAssertGreaterThanOrEqual(ContinuousClock.now - start, .milliseconds(900))
        await fixture.pipeline.shutdown()
    }
}
