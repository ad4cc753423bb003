import CRMCore
import CRMStore
import Foundation
import XCTest
@testable import CRMSessions

final class PipelineMessageTests: XCTestCase {
    func test_sameInboundIdThreeTimesIsStoredAndAnsweredOnce() async throws {
        let host = SwiftScriptHost.echo()
        let fixture = try PipelineFixture(host: host)
        let message = fixture.message(to: fixture.vendas, id: "wamid.HBgM", from: "5511911112222", text: "preço?")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<2 { group.addTask { try await fixture.pipeline.inbound(message) } }
            try await group.waitForAll()
        }
        try await fixture.pipeline.inbound(message)
        try await eventually { fixture.vendasPhone.deliveries.count == 1 }
        let joao = try fixture.conversation(of: fixture.vendas, contact: "5511911112222")
        try await eventually { try fixture.store.outboxCount() == 0 }
        XCTAssertEqual(try fixture.messages(of: joao).map(\.direction), [.inbound, .outbound])
        XCTAssertEqual(joao.unreadCount, 1)
        XCTAssertEqual(host.events(of: fixture.vendas.id).filter { $0.name == "message" }.count, 1)
        XCTAssertEqual(fixture.vendasPhone.attempts, 1)
        await fixture.pipeline.shutdown()
    }

    func test_badInputIsRefusedClearlyAndNothingIsStored() async throws {
        let host = SwiftScriptHost.echo()
        let fixture = try PipelineFixture(host: host)
        let offline = try fixture.store.createInstance(companyID: fixture.company.id, name: "offline")
        var unknown = fixture.message(to: fixture.vendas, id: "x1", from: "5511911112222")
        unknown.instanceID = "00000000-0000-0000-0000-000000000000"
        let cases: [(InboundMessage, InboundRejection)] = [
            (unknown, .unknownInstance("00000000-0000-0000-0000-000000000000")),
            (fixture.message(to: offline, id: "x2", from: "5511911112222"), .instanceNotConnected(offline.id, status: .disconnected)),
            (fixture.message(to: fixture.vendas, id: "x3", from: "5511911112222", text: String(repeating: "é", count: 40_000)),
             .textTooLong(bytes: 80_000, limit: 65_536)),
        ]
        for (message, rejection) in cases {
            do {
                try await fixture.pipeline.inbound(message)
                XCTFail("\(message.whatsappID) must be refused")
            } catch {
                XCTAssertEqual(error as? InboundRejection, rejection)
            }
        }
        XCTAssertThrowsError(try InboundRejection.text(fromUTF8: [0xc3, 0x28])) {
            XCTAssertEqual($0 as? InboundRejection, .invalidUTF8)
        }
        XCTAssertEqual(try fixture.store.conversations(companyID: fixture.company.id).items.count, 0)
        XCTAssertTrue(host.events(of: fixture.vendas.id).isEmpty)
        XCTAssertEqual(try fixture.store.outboxCount(), 0)
        await fixture.pipeline.shutdown()
    }

    func test_scriptFailureStoresTheMessageRecordsTheErrorAndCommitsNoAction() async throws {
        let host = SwiftScriptHost { _, _ in
            ScriptOutcome(failure: ScriptFailure(kind: "runtime", message: "attempt to index a nil value", file: "main.lua", line: 7))
        }
        let fixture = try PipelineFixture(host: host)
        try await fixture.pipeline.inbound(fixture.message(to: fixture.vendas, id: "v1", from: "5511911112222"))
        let joao = try fixture.conversation(of: fixture.vendas, contact: "5511911112222")
        XCTAssertEqual(try fixture.messages(of: joao).count, 1)
        let errors = try fixture.store.scriptErrors(instanceID: fixture.vendas.id)
        XCTAssertEqual(errors.map(\.failure.description), ["main.lua:7: attempt to index a nil value"])
        XCTAssertEqual(errors.map(\.event), ["message"])
        XCTAssertEqual(try fixture.store.outboxCount(), 0)
        XCTAssertEqual(try fixture.store.scriptRunCounts(instanceID: fixture.vendas.id)["message"]?.failed, 1)
        await fixture.pipeline.shutdown()
    }

    func test_eventsOfOneBatchSeeTheKvWritesOfEarlierEvents() async throws {
        let host = SwiftScriptHost { event, context in
            guard case .message = event else { return .none }
            guard case .integer(let count)? = context.kv("count") ?? .integer(0) else { return .none }
            return ScriptOutcome(actions: [.kvSet(key: "count", value: .integer(count + 1))])
        }
        let fixture = try PipelineFixture(host: host)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<300 {
                let instance = index.isMultiple(of: 2) ? fixture.vendas : fixture.suporte
                let message = fixture.message(to: instance, id: "m\(index)", from: "55119\(index % 7)")
                group.addTask { try await fixture.pipeline.inbound(message) }
            }
            try await group.waitForAll()
        }
        XCTAssertEqual(try fixture.store.kv(instanceID: fixture.vendas.id, key: "count"), .integer(150))
        XCTAssertEqual(try fixture.store.kv(instanceID: fixture.suporte.id, key: "count"), .integer(150))
        await fixture.pipeline.shutdown()
    }

    func test_statusEventsOfOurSendsReachTheScripts() async throws {
        let host = SwiftScriptHost.echo()
        let fixture = try PipelineFixture(host: host)
        try await fixture.pipeline.inbound(fixture.message(to: fixture.vendas, id: "v1", from: "5511911112222"))
        try await eventually { host.events(of: fixture.vendas.id).contains { $0.name == "status" } }
        let providerID = "provider-" + fixture.vendasPhone.deliveries[0].idempotencyKey
        await fixture.pipeline.receipt(fixture.vendas.id, providerMessageID: providerID, status: .delivered, reason: nil)
        await fixture.pipeline.receipt(fixture.vendas.id, providerMessageID: providerID, status: .read, reason: nil)
        await fixture.pipeline.receipt(fixture.vendas.id, providerMessageID: providerID, status: .delivered, reason: nil)
        await fixture.pipeline.receipt(fixture.suporte.id, providerMessageID: providerID, status: .read, reason: nil)
        try await eventually { try fixture.store.message(instanceID: fixture.vendas.id, whatsappID: providerID)?.status == "read" }
        try await Task.sleep(for: .milliseconds(100))
        let statuses: [DeliveryStatus] = host.events(of: fixture.vendas.id).compactMap {
            if case .status(let status) = $0 { return status.status } else { return nil }
        }
        XCTAssertEqual(statuses, [.sent, .delivered, .read])
        XCTAssertTrue(host.events(of: fixture.suporte.id).isEmpty)
        await fixture.pipeline.shutdown()
    }
}
