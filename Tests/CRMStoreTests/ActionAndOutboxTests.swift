import CRMCore
import XCTest
@testable import CRMStore

final class ActionAndOutboxTests: XCTestCase {
    func test_actionOnAnotherInstancesConversationIsRefusedAndNothingIsWritten() throws {
        let temporary = try TemporaryStore()
        let first = try temporary.connectedInstance(phone: "5511999998888")
        let second = try temporary.connectedInstance(company: first.companyID, phone: "5511988887777")
        guard case .stored(let pedro, _) = try temporary.ingest(inbound(second, id: "w1", phone: "5511955550000")) else {
            return XCTFail("not stored")
        }
        XCTAssertThrowsError(try temporary.store.transactionNow { transaction in
            try transaction.apply([.kvSet(key: "seen", value: .bool(true)),
                                   .send(conversation: pedro.conversationID, content: OutgoingContent(text: "oi"))],
                                  instance: first, at: Date())
        }) { error in
            XCTAssertEqual(error as? StoreError, .conversationOfAnotherInstance(conversation: pedro.conversationID, instance: first.id))
        }
        XCTAssertEqual(try temporary.count("outbox"), 0)
        XCTAssertNil(try temporary.store.kv("seen", instance: first.id))
    }

    func test_sendIsAddressedFromTheConversationItself() throws {
        let temporary = try TemporaryStore()
        let instance = try temporary.connectedInstance(phone: "5511999998888")
        guard case .stored(let byUser, _) = try temporary.ingest(inbound(instance, id: "w1", userID: "BR.77")) else {
            return XCTFail("not stored")
        }
        try temporary.store.transactionNow { transaction in
            try transaction.apply([.send(conversation: byUser.conversationID, content: OutgoingContent(text: "olá"))],
                                  instance: instance, at: Date())
        }
        let claimed = try temporary.claim(limit: 10)
        XCTAssertEqual(claimed.count, 1)
        XCTAssertEqual(claimed[0].message.instanceID, instance.id)
        XCTAssertEqual(claimed[0].message.to, "BR.77")
        XCTAssertTrue(claimed[0].message.toUserID)
        XCTAssertTrue(claimed[0].message.idempotencyKey.hasPrefix("send-\(claimed[0].messageID)-"),
                      claimed[0].message.idempotencyKey)
        let again = try temporary.claim(limit: 10)
        XCTAssertEqual(again, [], "a claimed send is not claimed twice")
    }

    /// A transaction keeps each conversation's reply address; a later message
    /// of the same batch that links the phone must move it.
    func test_replyAddressFollowsAPhoneLinkedEarlierInTheSameTransaction() throws {
        let temporary = try TemporaryStore()
        let instance = try temporary.connectedInstance(phone: "5511999998888")
        try temporary.store.transactionNow { transaction in
            guard case .stored(let first, _) = try transaction.ingest(inbound(instance, id: "w1", userID: "BR.77")) else {
                return XCTFail("not stored")
            }
            try transaction.apply([.send(conversation: first.conversationID, content: OutgoingContent(text: "a"))],
                                  instance: instance, at: Date())
            try transaction.ingest(inbound(instance, id: "w2", phone: "5511977770000", userID: "BR.77"))
            try transaction.apply([.send(conversation: first.conversationID, content: OutgoingContent(text: "b"))],
                                  instance: instance, at: Date())
        }
        let claimed = try temporary.claim(limit: 10)
        XCTAssertEqual(claimed.map(\.message.to), ["BR.77", "5511977770000"])
        XCTAssertEqual(claimed.map(\.message.toUserID), [true, false])
    }

    /// A reply in the conversation of the message being handled is written
    /// with that message's update of the row; scripts still read the row as
    /// already updated.
    func test_replyAndItsInboundMessageUpdateTheConversationOnce() throws {
        let temporary = try TemporaryStore()
        let instance = try temporary.connectedInstance(phone: "5511999998888")
        let first = Date(timeIntervalSince1970: 1_700_000_000)
        guard case .stored(let opening, _) = try temporary.ingest(inbound(instance, id: "w1", phone: "5511977770000",
                                                                          at: first)) else {
            return XCTFail("not stored")
        }
        let second = first.addingTimeInterval(60)
        let reply = second.addingTimeInterval(5)
        try temporary.store.transactionNow { transaction in
            try transaction.ingest(inbound(instance, id: "w2", phone: "5511977770000", name: "João", at: second))
            let view = transaction.scriptContext(for: instance, now: reply).conversation(opening.conversationID)
            XCTAssertEqual(view?.unreadCount, 2)
            XCTAssertEqual(view?.lastInboundAt, second)
            XCTAssertEqual(view?.contactName, "João")
            try transaction.apply([.send(conversation: opening.conversationID, content: OutgoingContent(text: "oi"))],
                                  instance: instance, at: reply)
            try transaction.ingest(inbound(instance, id: "w3", phone: "5511977770000", at: second.addingTimeInterval(1)))
            try transaction.apply([.send(conversation: opening.conversationID, content: OutgoingContent(text: "de novo"))],
                                  instance: instance, at: reply.addingTimeInterval(1))
        }
        let row = try temporary.store.conversations(company: instance.companyID).items[0].conversation
        XCTAssertEqual(row.unreadCount, 3)
        XCTAssertEqual(row.lastInboundAt, second.addingTimeInterval(1))
        XCTAssertEqual(row.lastMessageAt, reply.addingTimeInterval(1))
        XCTAssertEqual(row.contactName, "João")
    }

    func test_sendToAConversationMergedAwayInTheSameTransactionIsRefused() throws {
        let temporary = try TemporaryStore()
        let instance = try temporary.connectedInstance(phone: "5511999998888")
        try temporary.ingest(inbound(instance, id: "w1", phone: "5511977770000"))
        try temporary.store.transactionNow { transaction in
            guard case .stored(let byUser, _) = try transaction.ingest(inbound(instance, id: "w2", userID: "BR.1")) else {
                return XCTFail("not stored")
            }
            try transaction.ingest(inbound(instance, id: "w3", phone: "5511977770000", userID: "BR.1"))
            XCTAssertThrowsError(try transaction.apply(
                [.send(conversation: byUser.conversationID, content: OutgoingContent(text: "oi"))],
                instance: instance, at: Date())) { error in
                XCTAssertEqual(error as? StoreError, .conversationNotFound(byUser.conversationID))
            }
        }
        XCTAssertEqual(try temporary.count("outbox"), 0)
    }

    func test_ingestReturnsTheRowAsStored() throws {
        let temporary = try TemporaryStore()
        let instance = try temporary.connectedInstance(phone: "5511999998888")
        guard case .stored(let message, _) = try temporary.ingest(inbound(instance, id: "w1", phone: "5511977770000")) else {
            return XCTFail("not stored")
        }
        let row = try temporary.store.pool.read { db in try MessageRecord.fetch(db, id: message.id) }
        XCTAssertEqual(message, row)
        let queued = try temporary.store.queueOperatorSend(OutgoingContent(text: "hi"), to: message.conversationID,
                                                            company: instance.companyID)
        XCTAssertEqual(queued, try temporary.store.pool.read { db in try MessageRecord.fetch(db, id: queued.id) })
    }

    /// The claim first reads the oldest due sends; when one instance's backlog
    /// fills that read, the others' sends must still be found.
    func test_claimKeepsEachInstancesShareWhenOneBacklogFillsIt() throws {
        let (temporary, busy) = try backlogBeforeAQuietSend()
        let skipped = try temporary.claim(limit: 10, skipping: [busy.id])
        XCTAssertEqual(skipped.map(\.message.content.text), ["quiet"])
        let shared = try temporary.claim(limit: 3, perInstance: 2)
        XCTAssertEqual(shared.map(\.message.content.text), ["busy 0", "busy 1"], "quiet's send was claimed already")
        let rest = try temporary.claim(limit: 2)
        XCTAssertEqual(rest.map(\.message.content.text), ["busy 2", "busy 3"])
    }

    func test_claimFindsAQuietInstanceBehindABacklog() throws {
        let (temporary, _) = try backlogBeforeAQuietSend()
        let claimed = try temporary.claim(limit: 3, perInstance: 2)
        XCTAssertEqual(claimed.map(\.message.content.text), ["busy 0", "busy 1", "quiet"])
    }

    /// Two instances of one company: five sends of the busy one ("busy 0"…"busy 4",
    /// a second apart), then one of the quiet one ("quiet"), all due.
    private func backlogBeforeAQuietSend() throws -> (TemporaryStore, busy: InstanceRecord) {
        let temporary = try TemporaryStore()
        let busy = try temporary.connectedInstance(phone: "5511999998888")
        let quiet = try temporary.connectedInstance(company: busy.companyID, phone: "5511988887777")
        guard case .stored(let first, _) = try temporary.ingest(inbound(busy, id: "w1", phone: "5511977770000")),
              case .stored(let second, _) = try temporary.ingest(inbound(quiet, id: "w1", phone: "5511966660000")) else {
            struct NotStored: Error {}
            throw NotStored()
        }
        let start = Date(timeIntervalSince1970: 1_700_000_000)
        for round in 0..<5 {
            _ = try temporary.store.queueOperatorSend(OutgoingContent(text: "busy \(round)"), to: first.conversationID,
                                                      company: busy.companyID, at: start.addingTimeInterval(Double(round)))
        }
        _ = try temporary.store.queueOperatorSend(OutgoingContent(text: "quiet"), to: second.conversationID,
                                                  company: quiet.companyID, at: start.addingTimeInterval(10))
        return (temporary, busy)
    }

    func test_claimedButUnconfirmedSendsComeBackAfterRestart() throws {
        let temporary = try TemporaryStore()
        let instance = try temporary.connectedInstance(phone: "5511999998888")
        guard case .stored(let message, _) = try temporary.ingest(inbound(instance, id: "w1", phone: "5511977770000")) else {
            return XCTFail("not stored")
        }
        _ = try temporary.store.queueOperatorSend(OutgoingContent(text: "hi"), to: message.conversationID, company: instance.companyID)
        let first = try temporary.claim(limit: 10)
        try temporary.reopen()
        XCTAssertEqual(try temporary.store.releaseClaimedSends(), 1)
        let released = try temporary.claim(limit: 10)
        XCTAssertEqual(released.map(\.message.idempotencyKey), first.map(\.message.idempotencyKey))
    }

    func test_sendOutcomesMoveStatusForwardOnly() throws {
        let temporary = try TemporaryStore()
        let instance = try temporary.connectedInstance(phone: "5511999998888")
        guard case .stored(let message, _) = try temporary.ingest(inbound(instance, id: "w1", phone: "5511977770000")) else {
            return XCTFail("not stored")
        }
        let queued = try temporary.store.queueOperatorSend(OutgoingContent(text: "hi"), to: message.conversationID,
                                                            company: instance.companyID)
        XCTAssertEqual(queued.status, .queued)
        let entry = try temporary.claim(limit: 1)[0]
        let retryAt = Date().addingTimeInterval(60)
        try temporary.store.transactionNow { transaction in
            XCTAssertNil(try transaction.recordSend(entry, outcome: .retry(reason: "timeout", retryAt: retryAt), at: Date()))
        }
        let early = try temporary.claim(limit: 1)
        XCTAssertEqual(early, [], "not due before its retry time")
        let retried = try temporary.claim(now: retryAt, limit: 1)
        XCTAssertEqual(retried.map(\.attempts), [1])
        try temporary.store.transactionNow { transaction in
            XCTAssertEqual(try transaction.recordSend(entry, outcome: .sent(providerMessageID: "p1"), at: Date())?.status, .sent)
            XCTAssertNil(try transaction.recordSend(entry, outcome: .sent(providerMessageID: "p1"), at: Date()))
            XCTAssertEqual(try transaction.recordReceipt(instance: instance.id, providerMessageID: "p1", status: .read,
                                                         reason: nil)?.status, .read)
            XCTAssertNil(try transaction.recordReceipt(instance: instance.id, providerMessageID: "p1", status: .delivered,
                                                       reason: nil))
        }
        XCTAssertEqual(try temporary.count("outbox"), 0)
    }

    /// A settled send comes back as its stored row: the whole record, as the
    /// live events and the status scripts see it.
    func test_settledSendReturnsItsStoredRow() throws {
        let temporary = try TemporaryStore()
        let instance = try temporary.connectedInstance(phone: "5511999998888")
        guard case .stored(let message, _) = try temporary.ingest(inbound(instance, id: "w1", phone: "5511977770000")) else {
            return XCTFail("not stored")
        }
        for text in ["sent", "failed"] {
            let queued = try temporary.store.queueOperatorSend(OutgoingContent(text: text), to: message.conversationID,
                                                                company: instance.companyID)
            let entry = try temporary.claim(limit: 1)[0]
            let outcome: SendOutcome = text == "sent" ? .sent(providerMessageID: "p-sent") : .failed(reason: "bad number")
            let settled = try temporary.store.transactionNow { try $0.recordSend(entry, outcome: outcome, at: Date()) }
            var expected = queued
            expected.status = text == "sent" ? .sent : .failed
            expected.whatsappID = text == "sent" ? "p-sent" : nil
            expected.reason = text == "sent" ? nil : "bad number"
            XCTAssertEqual(settled, expected)
            XCTAssertEqual(try temporary.store.messages(in: message.conversationID, company: instance.companyID)
                .items.first { $0.id == queued.id }, expected)
        }
    }

    func test_timerIsTakenOnceAndSurvivesReopening() throws {
        let temporary = try TemporaryStore()
        let instance = try temporary.connectedInstance(phone: "5511999998888")
        let due = Date().addingTimeInterval(-1)
        try temporary.store.transactionNow { transaction in
            try transaction.apply([.timer(name: "followup", payload: .object(["n": .integer(1)]), dueAt: due)],
                                  instance: instance, at: Date())
        }
        try temporary.reopen()
        let timers = try temporary.store.dueTimers()
        XCTAssertEqual(timers.map(\.name), ["followup"])
        XCTAssertEqual(timers[0].payload["n"], .integer(1))
        try temporary.store.transactionNow { transaction in
            XCTAssertNotNil(try transaction.takeTimer(timers[0].id))
            XCTAssertNil(try transaction.takeTimer(timers[0].id))
        }
        XCTAssertEqual(try temporary.store.dueTimers(), [])
    }

    func test_scriptContextSeesOwnWritesAndOnlyItsInstance() throws {
        let temporary = try TemporaryStore()
        let first = try temporary.connectedInstance(phone: "5511999998888")
        let second = try temporary.connectedInstance(company: first.companyID, phone: "5511988887777")
        guard case .stored(let other, _) = try temporary.ingest(inbound(second, id: "w1", phone: "5511955550000")) else {
            return XCTFail("not stored")
        }
        try temporary.store.transactionNow { transaction in
            try transaction.apply([.kvSet(key: "count", value: .integer(2))], instance: first, at: Date())
            let context = transaction.scriptContext(for: first, now: Date())
            XCTAssertEqual(context.kv("count"), .integer(2))
            XCTAssertNil(context.conversation(other.conversationID))
            XCTAssertNil(transaction.scriptContext(for: second, now: Date()).kv("count"))
            XCTAssertNotNil(transaction.scriptContext(for: second, now: Date()).conversation(other.conversationID))
        }
    }
}

final class OutboxKeyTests: XCTestCase {
    /// The outbox empties whenever every send is confirmed; the next send must
    /// still get a key never used before, or the connector would take it for a
    /// retry of the old one and the recipient would never see it.
    func test_sendAfterTheOutboxEmptiedGetsANewIdempotencyKey() throws {
        let temporary = try TemporaryStore()
        let instance = try temporary.connectedInstance(phone: "5511999998888")
        guard case .stored(let message, _) = try temporary.ingest(inbound(instance, id: "w1", phone: "5511977770000")) else {
            return XCTFail("not stored")
        }
        var keys: [String] = []
        for round in 0..<3 {
            _ = try temporary.store.queueOperatorSend(OutgoingContent(text: "reply \(round)"), to: message.conversationID,
                                                      company: instance.companyID)
            let claimed = try temporary.claim(limit: 1)
            let entry = try XCTUnwrap(claimed.first)
            keys.append(entry.message.idempotencyKey)
            try temporary.store.transactionNow { transaction in
                _ = try transaction.recordSend(entry, outcome: .sent(providerMessageID: "p\(round)"), at: Date())
            }
            XCTAssertEqual(try temporary.count("outbox"), 0)
            if round == 1 { try temporary.reopen() }
        }
        XCTAssertEqual(Set(keys).count, 3, "keys: \(keys)")
    }

    /// SQLite gives the id of the newest message out again once it is
    /// deleted (here with its instance); the send that gets it must still
    /// carry a key of its own.
    func test_messageIDGivenOutAgainGetsANewKey() throws {
        let temporary = try TemporaryStore()
        let keep = try temporary.connectedInstance(phone: "5511999998888")
        let gone = try temporary.connectedInstance(company: keep.companyID, phone: "5511988887777")
        let start = Date(timeIntervalSince1970: 1_700_000_000)
        guard case .stored(let removed, _) = try temporary.ingest(inbound(gone, id: "w1", phone: "5511966660000")),
              case .stored(let kept, _) = try temporary.ingest(inbound(keep, id: "w2", phone: "5511977770000")) else {
            return XCTFail("not stored")
        }
        let first = try temporary.store.queueOperatorSend(OutgoingContent(text: "one"), to: removed.conversationID,
                                                          company: gone.companyID, at: start)
        let firstKey = try XCTUnwrap(temporary.claim(limit: 1).first).message.idempotencyKey
        try temporary.store.deleteInstance(gone.id, company: gone.companyID)
        let second = try temporary.store.queueOperatorSend(OutgoingContent(text: "two"), to: kept.conversationID,
                                                           company: keep.companyID, at: start.addingTimeInterval(5))
        XCTAssertEqual(second.id, first.id, "the deleted newest id is given out again")
        let secondKey = try XCTUnwrap(temporary.claim(limit: 1).first).message.idempotencyKey
        XCTAssertNotEqual(secondKey, firstKey)
    }
}
