import CRMCore
import CRMStore
import Foundation
import XCTest
@testable import CRMSessions

/// The outbox hands a send to its lane at once only when nothing of its
/// instance waits in the outbox before it.
final class OutboxWorkerTests: XCTestCase {
    func test_aSendWithRoomStillWaitsBehindItsInstancesWaitingSend() throws {
        var configuration = PipelineConfiguration()
        configuration.maxSendsInFlightPerInstance = 2
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("crm-outbox-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try CRMStore(folder: folder)
        let company = try store.createCompany(name: "Acme").id
        let created = try store.createInstance(company: company, name: "vendas")
        try store.claimPhone("5511999998888", for: created.id)
        let instance = try store.instance(created.id)
        let worker = OutboxWorker(configuration: configuration, connectors: { _ in nil })
        let now = Date()

        func send(_ texts: [String]) throws -> (handedOver: [String], claimed: [String]) {
            let places = LanePlaces()
            return try store.transactionNow { transaction in
                guard case .stored(let stored, _) = try transaction.ingest(InboundMessage(
                    instanceID: instance.id, whatsappID: UUID().uuidString,
                    contact: ContactIdentity(phone: "5511977770000"), text: "oi")) else { throw CancellationError() }
                let approved = try transaction.approve(texts.map {
                    .send(conversation: stored.conversationID, content: OutgoingContent(text: $0))
                }, instance: instance)
                let written = try transaction.write(approved, at: now) { worker.reserve($0, into: places) }
                let claim = worker.claimDue ? try worker.claim(in: transaction, at: now, into: places) : nil
                return (written.handedOver.map { $0.message.content.text ?? "" },
                        (claim?.entries ?? []).map { $0.message.content.text ?? "" })
            }
        }

        let first = try send(["a", "b", "c"])
        XCTAssertEqual(first.handedOver, [], "nothing goes straight to a lane before a claim has read the outbox")
        XCTAssertEqual(first.claimed, ["a", "b"], "the lane's share; c waits")
        worker.reported(instance.id)
        let second = try send(["d"])
        XCTAssertEqual(second.handedOver, [], "the lane has room, but c waits in the outbox: d waits behind it")
        XCTAssertEqual(second.claimed, ["c", "d"])
        worker.reported(instance.id)
        worker.reported(instance.id)
        let third = try send(["e", "f"])
        XCTAssertEqual(third.handedOver, ["e"], "nothing waits: straight to the lane, while it has room")
        XCTAssertEqual(third.claimed, [], "f waits: the lane is full")
        worker.reported(instance.id)
        let fourth = try send(["g"])
        XCTAssertEqual(fourth.handedOver, [], "f waits, so g waits behind it")
        XCTAssertEqual(fourth.claimed, ["f", "g"])
    }
}
