import CRMCore
import CRMStore
import Foundation
import GRDB
import XCTest
@testable import CRMSessions

/// Work whose transaction fails is never dropped: a caller waiting for it is
/// refused and delivers it again; work nobody waits for (a send's outcome, a
/// receipt, a timer) is handed in again until it commits. A failure is
/// injected with a trigger that aborts the statement recording it, as a full
/// disk or an I/O error would abort the transaction.
final class PipelineFailureTests: XCTestCase {
    func test_sendOutcomeWhoseTransactionFailsIsCommittedLaterAndNeverSentAgain() async throws {
        let harness = try PipelineHarness()
        let (instance, connector) = try harness.instance(phone: "5511999998888")
        let fault = try StoreFault(harness.store)
        try fault.fail(named: "sent", when: "BEFORE UPDATE OF status ON messages WHEN NEW.status = 'sent'")
        try await harness.pipeline.inbound(message(instance, "w1"))
        try await eventually("the failed commit of the outcome") { harness.pipeline.statistics.handedInAgain > 0 }
        XCTAssertEqual(try fault.replyStatuses(), ["queued"])
        try fault.heal(named: "sent")
        try await eventually("the outcome committed") { try fault.replyStatuses() == ["sent"] }
        try harness.restart()
        try await Task.sleep(for: .milliseconds(200))
        XCTAssertEqual(connector.handOvers.count, 1, "a send already made is not made again after a restart")
        await harness.stop()
    }

    func test_receiptWhoseTransactionFailsIsCommittedLater() async throws {
        let harness = try PipelineHarness()
        let (instance, connector) = try harness.instance(phone: "5511999998888")
        let fault = try StoreFault(harness.store)
        try await harness.pipeline.inbound(message(instance, "w1"))
        try await eventually("the reply sent") { try fault.replyStatuses() == ["sent"] }
        try fault.fail(named: "delivered", when: "BEFORE UPDATE OF status ON messages WHEN NEW.status = 'delivered'")
        let providerID = "p-\(instance.id.prefix(8))-\(connector.delivered[0].key)"
        harness.pipeline.receipt(instance.id, providerMessageID: providerID, status: .delivered, reason: nil)
        try await eventually("the failed commit of the receipt") { harness.pipeline.statistics.handedInAgain > 0 }
        try fault.heal(named: "delivered")
        try await eventually("the receipt committed") { try fault.replyStatuses() == ["delivered"] }
        await harness.stop()
    }

    func test_timerWhoseTransactionFailsFiresLater() async throws {
        let harness = try PipelineHarness()
        let (instance, connector) = try harness.instance(phone: "5511999998888")
        let fault = try StoreFault(harness.store)
        try fault.fail(named: "timer", when: "BEFORE DELETE ON timers")
        try await harness.pipeline.inbound(message(instance, "w1", text: "later"))
        try await eventually("the failed commit of the timer") { harness.pipeline.statistics.handedInAgain > 0 }
        try fault.heal(named: "timer")
        try await eventually("the timer's send") { connector.delivered.contains { $0.text == "timer followup" } }
        XCTAssertEqual(try harness.statistics.timers, 0)
        await harness.stop()
    }

    func test_messageWhoseTransactionFailsIsRefusedToItsCaller() async throws {
        let harness = try PipelineHarness()
        let (instance, _) = try harness.instance(phone: "5511999998888")
        let fault = try StoreFault(harness.store)
        try fault.fail(named: "inbound", when: "BEFORE INSERT ON messages WHEN NEW.direction = 'in'")
        do {
            try await harness.pipeline.inbound(message(instance, "w1"))
            XCTFail("a message that was not stored was acknowledged")
        } catch {
            guard case .storageFailed = error else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(harness.pipeline.statistics.refusedAfterFailure, 1)
        try fault.heal(named: "inbound")
        try await harness.pipeline.inbound(message(instance, "w1"))
        XCTAssertEqual(try harness.statistics.inboundMessages, 1)
        await harness.stop()
    }

    /// A receipt whose source waits (a webhook) is answered only once it is
    /// committed, and refused when its transaction fails.
    func test_awaitedReceiptIsAnsweredAfterItsCommit() async throws {
        let harness = try PipelineHarness()
        let (instance, connector) = try harness.instance(phone: "5511999998888")
        let fault = try StoreFault(harness.store)
        try await harness.pipeline.inbound(message(instance, "w1"))
        try await eventually("the reply sent") { try fault.replyStatuses() == ["sent"] }
        let providerID = "p-\(instance.id.prefix(8))-\(connector.delivered[0].key)"
        try fault.fail(named: "read", when: "BEFORE UPDATE OF status ON messages WHEN NEW.status = 'read'")
        let refused = await receipt(harness.pipeline, instance.id, providerID, .read)
        guard case .storageFailed? = refused else { return XCTFail("answered \(String(describing: refused))") }
        XCTAssertEqual(try fault.replyStatuses(), ["sent"])
        try fault.heal(named: "read")
        let answer = await receipt(harness.pipeline, instance.id, providerID, .read)
        XCTAssertNil(answer)
        XCTAssertEqual(try fault.replyStatuses(), ["read"], "stored when answered")
        await harness.stop()
    }

    /// With the writer busy and `maxQueuedEvents` waiting, a message or an
    /// awaited receipt is refused at once; receipts from connectors are still
    /// taken; everything accepted commits, and what was refused commits when
    /// delivered again.
    func test_fullQueueRefusesAtOnceAndLosesNothing() async throws {
        var configuration = PipelineHarness.fast
        configuration.maxQueuedEvents = 3
        let scripts = HoldingScripts()
        let harness = try PipelineHarness(scripts: scripts, configuration: configuration)
        let (instance, _) = try harness.instance(phone: "5511999998888")
        let pipeline = harness.pipeline
        let answers = Locked<[String: Result<MessageRowID, InboundRejection>]>([:])
        let hand: @Sendable (String) -> Void = { id in
            pipeline.inbound(message(instance, id, text: id)) { result in answers.withLock { $0[id] = result } }
        }
        hand("hold")
        await scripts.waitUntilHolding()
        for id in ["q1", "q2", "q3", "q4"] { hand(id) }
        XCTAssertEqual(answers.withLock { $0["q4"] }, .failure(.overloaded(limit: 3)), "refused at once")
        let receiptAnswer = Locked<InboundRejection??>(nil)
        pipeline.receipt(instance.id, providerMessageID: "unknown", status: .read, reason: nil) { refusal in
            receiptAnswer.withLock { $0 = refusal }
        }
        XCTAssertEqual(receiptAnswer.withLock { $0 }, .some(.overloaded(limit: 3)))
        pipeline.receipt(instance.id, providerMessageID: "unknown", status: .read, reason: nil)
        XCTAssertEqual(pipeline.statistics.refusedWhenFull, 2)
        scripts.release()
        try await eventually("every queued message answered") { answers.withLock { $0.count } == 5 }
        for id in ["hold", "q1", "q2", "q3"] {
            guard case .success = answers.withLock({ $0[id] }) else { return XCTFail("\(id) was not stored") }
        }
        try await pipeline.inbound(message(instance, "q4", text: "q4"))
        XCTAssertEqual(try harness.statistics.inboundMessages, 5)
        await harness.stop()
    }

    private func receipt(_ pipeline: MessagePipeline, _ instance: InstanceID, _ providerID: String,
                         _ status: DeliveryStatus) async -> InboundRejection? {
        await withCheckedContinuation { continuation in
            pipeline.receipt(instance, providerMessageID: providerID, status: status, reason: nil) {
                continuation.resume(returning: $0)
            }
        }
    }
}

/// Makes chosen writes of the store fail, through a connection of its own:
/// a trigger that aborts the statement, and so the transaction around it.
private final class StoreFault {
    private let queue: DatabaseQueue

    init(_ store: CRMStore) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)  // the pipeline's writer is busy retrying meanwhile
        queue = try DatabaseQueue(path: store.path, configuration: configuration)
    }

    func fail(named name: String, when event: String) throws {
        try queue.write { db in
            try db.execute(sql: "CREATE TRIGGER fault_\(name) \(event) BEGIN SELECT RAISE(ABORT, 'injected fault'); END")
        }
    }

    func heal(named name: String) throws {
        try queue.write { db in try db.execute(sql: "DROP TRIGGER fault_\(name)") }
    }

    /// The status of every reply, oldest first.
    func replyStatuses() throws -> [String] {
        try queue.read { db in try String.fetchAll(db, sql: "SELECT status FROM messages WHERE direction = 'out' ORDER BY id") }
    }
}

/// Holds the writer inside the script of a message `hold` until released.
private final class HoldingScripts: ScriptHost, Sendable {
    private let holding = DispatchSemaphore(value: 0)
    private let released = DispatchSemaphore(value: 0)

    func handle(_ event: ScriptEvent, context: ScriptContext) -> ScriptOutcome {
        if case .message(let message) = event, message.text == "hold" {
            holding.signal()
            released.wait()
        }
        return .none
    }

    func waitUntilHolding() async {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { self.holding.wait(); continuation.resume() }
        }
    }

    func release() { released.signal() }
}
