import CRMCore
import XCTest
@testable import CRMStore

/// A reply handed straight to its connector's lane has no outbox row: its
/// message row keeps it until the connector answers, through a retry and
/// through a restart.
final class HandedOverSendTests: XCTestCase {
    private var temporary: TemporaryStore!
    private var instance: InstanceRecord!
    private var conversation: ConversationID!

    override func setUpWithError() throws {
        temporary = try TemporaryStore()
        instance = try temporary.connectedInstance(phone: "5511999998888")
        guard case .stored(let message, _) = try temporary.ingest(inbound(instance, id: "w1", phone: "5511977770000")) else {
            throw XCTSkip("not stored")
        }
        conversation = message.conversationID
    }

    override func tearDown() { temporary = nil }

    /// Queues a reply the lane takes at once.
    private func handOver(_ text: String) throws -> OutboxEntry {
        let written = try temporary.store.transactionNow { transaction in
            try transaction.write(transaction.approve([.send(conversation: conversation, content: OutgoingContent(text: text))],
                                                      instance: instance), at: Date()) { _ in true }
        }
        XCTAssertEqual(written.handedOver.count, 1)
        return try XCTUnwrap(written.handedOver.first)
    }

    private func record(_ entry: OutboxEntry, _ outcome: SendOutcome) throws -> MessageRecord? {
        try temporary.store.transactionNow { try $0.recordSend(entry, outcome: outcome, at: Date()) }
    }

    func test_handedOverSendHasNoOutboxRowAndSettlesOnce() throws {
        let entry = try handOver("olá")
        XCTAssertNil(entry.outboxRow)
        XCTAssertEqual(entry.message.to, "5511977770000")
        XCTAssertEqual(try temporary.count("outbox"), 0)
        XCTAssertEqual(try temporary.store.statistics().outbox, 1, "unanswered, so still counted")
        XCTAssertEqual(try temporary.claim(limit: 10), [], "nothing for a claim to take a second time")
        let sent = try record(entry, .sent(providerMessageID: "p1"))
        XCTAssertEqual(sent?.status, .sent)
        XCTAssertEqual(sent?.whatsappID, "p1")
        XCTAssertNil(try record(entry, .sent(providerMessageID: "p1")), "a second report changes nothing")
        XCTAssertEqual(try temporary.store.statistics().outbox, 0)
    }

    /// The settled message is rebuilt from the entry, not read back: it must
    /// be the row as stored.
    func test_settledSendIsItsStoredRow() throws {
        for outcome: SendOutcome in [.sent(providerMessageID: "p1"), .failed(reason: "bad number")] {
            let entry = try handOver("olá")
            let settled = try record(entry, outcome)
            let stored = try temporary.store.messages(in: conversation, company: instance.companyID)
                .items.first { $0.id == entry.messageID }
            XCTAssertNotNil(settled)
            XCTAssertEqual(settled, stored)
        }
    }

    /// A contact first known by user id writes again showing its phone: its
    /// conversation is merged into the phone's while a reply is on its way.
    /// The reply settles in the conversation it now belongs to.
    func test_sendSettlesInTheConversationItsOneWasMergedInto() throws {
        guard case .stored(let byUser, _) = try temporary.ingest(inbound(instance, id: "w2", userID: "BR.77")) else {
            return XCTFail("not stored")
        }
        conversation = byUser.conversationID
        let entry = try handOver("olá")
        let retried = try handOver("de novo")
        guard case .stored(let linked, _) = try temporary.ingest(inbound(instance, id: "w3", phone: "5511977770000",
                                                                         userID: "BR.77")) else {
            return XCTFail("not stored")
        }
        XCTAssertNotEqual(linked.conversationID, byUser.conversationID, "merged into the phone's conversation")
        let sent = try record(entry, .sent(providerMessageID: "p1"))
        XCTAssertEqual(sent?.conversationID, linked.conversationID)
        let retryAt = Date().addingTimeInterval(60)
        XCTAssertNil(try record(retried, .retry(reason: "timeout", retryAt: retryAt)))
        let due = try XCTUnwrap(temporary.claim(now: retryAt, limit: 10).first, "the retry is in the outbox")
        XCTAssertEqual(due.conversationID, linked.conversationID)
        XCTAssertEqual(due.message.idempotencyKey, retried.message.idempotencyKey)
    }

    func test_failedSendKeepsItsReason() throws {
        let entry = try handOver("olá")
        let failed = try record(entry, .failed(reason: "invalid recipient"))
        XCTAssertEqual(failed?.status, .failed)
        XCTAssertEqual(failed?.reason, "invalid recipient")
        XCTAssertEqual(try temporary.store.statistics().outbox, 0)
    }

    /// A retry moves the send into the outbox, where it keeps its key: the
    /// connector must see the second hand-over as the same send.
    func test_retryMovesItIntoTheOutboxWithItsKey() throws {
        let entry = try handOver("olá")
        let retryAt = Date().addingTimeInterval(60)
        XCTAssertNil(try record(entry, .retry(reason: "timeout", retryAt: retryAt)))
        XCTAssertEqual(try temporary.count("outbox"), 1)
        XCTAssertEqual(try temporary.store.statistics().outbox, 1, "counted once, in the outbox")
        XCTAssertEqual(try temporary.claim(limit: 10), [], "not due before its retry time")
        let retried = try XCTUnwrap(temporary.claim(now: retryAt, limit: 10).first)
        XCTAssertEqual(retried.message.idempotencyKey, entry.message.idempotencyKey)
        XCTAssertEqual(retried.message.content, entry.message.content)
        XCTAssertEqual(retried.message.to, entry.message.to)
        XCTAssertEqual(retried.attempts, 1)
        XCTAssertEqual(try record(retried, .sent(providerMessageID: "p1"))?.status, .sent)
        XCTAssertEqual(try temporary.store.statistics().outbox, 0)
    }

    /// After a crash the lane's sends are gone from memory; the restart finds
    /// them by their message rows and queues them again, with their keys, in
    /// the order they were queued.
    func test_afterARestartItIsQueuedAgainWithItsKey() throws {
        let first = try handOver("um")
        let second = try handOver("dois")
        try temporary.reopen()
        XCTAssertEqual(try temporary.store.releaseClaimedSends(), 2)
        XCTAssertEqual(try temporary.store.releaseClaimedSends(), 0, "queued once")
        let again = try temporary.claim(limit: 10)
        XCTAssertEqual(again.map(\.message.idempotencyKey), [first.message.idempotencyKey, second.message.idempotencyKey])
        XCTAssertEqual(again.map(\.message.content.text), ["um", "dois"])
        XCTAssertEqual(again.map(\.message.to), [first.message.to, second.message.to])
        XCTAssertEqual(try temporary.store.statistics().outbox, 2)
        XCTAssertNil(try record(first, .sent(providerMessageID: "late")), "the lost lane's entry no longer settles it")
        for entry in again { XCTAssertEqual(try record(entry, .sent(providerMessageID: "p-\(entry.messageID)"))?.status, .sent) }
        XCTAssertEqual(try temporary.store.statistics().outbox, 0)
    }
}
