import CRMCore
import CRMStore
import Foundation
import XCTest
@testable import CRMSessions

/// The outbox hands a send to its lane at once only when nothing of its
/// instance waits in the outbox before it.
final class OutboxWorkerTests: XCTestCase {
    func test_aSendWithRoomStillWaitsBehindItsInstancesWaitingSend() throws {
        let scene = try OutboxScene(share: 2)
        let first = try scene.queue(["a", "b", "c"])
        XCTAssertEqual(first.handedOver, [], "nothing goes straight to a lane before a claim has read the outbox")
        XCTAssertEqual(first.claimed, ["a", "b"], "the lane's share; c waits")
        scene.reported()
        let second = try scene.queue(["d"])
        XCTAssertEqual(second.handedOver, [], "the lane has room, but c waits in the outbox: d waits behind it")
        XCTAssertEqual(second.claimed, ["c", "d"])
        scene.reported(2)
        let third = try scene.queue(["e", "f"])
        XCTAssertEqual(third.handedOver, ["e"], "nothing waits: straight to the lane, while it has room")
        XCTAssertEqual(third.claimed, [], "f waits: the lane is full")
        scene.reported()
        let fourth = try scene.queue(["g"])
        XCTAssertEqual(fourth.handedOver, [], "f waits, so g waits behind it")
        XCTAssertEqual(fourth.claimed, ["f", "g"])
    }

    func test_aSendQueuedAfterARetryFellDueWaitsBehindIt() throws {
        let scene = try OutboxScene(share: 4)
        _ = try scene.queue([])
        let first = try scene.queue(["a"])
        XCTAssertEqual(first.handedOver, ["a"])
        let entry = try XCTUnwrap(first.entries.first)
        try scene.store.transactionNow { transaction in
            _ = try transaction.recordSend(entry, outcome: .retry(reason: "timeout", retryAt: scene.now), at: scene.now)
        }
        scene.worker.retryQueued(scene.instance.id, due: scene.now)
        scene.reported()
        let second = try scene.queue(["b"])
        XCTAssertEqual(second.handedOver, [], "a falls due for its retry before b is queued: b waits behind it")
        XCTAssertEqual(second.claimed, ["a", "b"])
        scene.reported(2)
        XCTAssertEqual(try scene.queue(["c"]).handedOver, ["c"], "the retry was claimed")
    }
}

/// One instance, its conversation and an outbox worker, driven one
/// transaction at a time as the pipeline drives them.
private final class OutboxScene {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("crm-outbox-\(UUID().uuidString)")
    let store: CRMStore
    let instance: InstanceRecord
    let worker: OutboxWorker
    let now = Date()

    struct Queued {
        var entries: [OutboxEntry]
        var handedOver: [String]
        var claimed: [String]
    }

    init(share: Int) throws {
        var configuration = PipelineConfiguration()
        configuration.maxSendsInFlightPerInstance = share
        store = try CRMStore(folder: folder)
        let company = try store.createCompany(name: "Acme").id
        let created = try store.createInstance(company: company, name: "vendas")
        try store.claimPhone("5511999998888", for: created.id)
        instance = try store.instance(created.id)
        worker = OutboxWorker(configuration: configuration, connectors: { _ in nil })
    }

    /// An inbound message answered with `texts`, then the claim a batch ends with.
    func queue(_ texts: [String]) throws -> Queued {
        let places = LanePlaces()
        let (now, instance, worker) = (self.now, self.instance, self.worker)
        return try store.transactionNow { transaction in
            guard case .stored(let stored, _) = try transaction.ingest(InboundMessage(
                instanceID: instance.id, whatsappID: UUID().uuidString,
                contact: ContactIdentity(phone: "5511977770000"), text: "oi")) else { throw CancellationError() }
            let approved = try transaction.approve(texts.map {
                .send(conversation: stored.conversationID, content: OutgoingContent(text: $0))
            }, instance: instance)
            let written = try transaction.write(approved, at: now) { worker.reserve($0, at: now, into: places) }
            let claimed = worker.claimDue ? try worker.claim(in: transaction, at: now, into: places)?.entries ?? [] : []
            return Queued(entries: written.handedOver, handedOver: written.handedOver.map { $0.message.content.text ?? "" },
                          claimed: claimed.map { $0.message.content.text ?? "" })
        }
    }

    /// Sends of the instance were handed over and reported.
    func reported(_ count: Int = 1) {
        for _ in 0..<count { worker.reported(instance.id) }
    }

    deinit { try? FileManager.default.removeItem(at: folder) }
}
