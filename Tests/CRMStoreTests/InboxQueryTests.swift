import CRMCore
import XCTest
@testable import CRMStore

final class InboxQueryTests: XCTestCase {
    func test_conversationsPageNewestFirstWithCursorAndNoOverlap() throws {
        let temporary = try TemporaryStore()
        let instance = try temporary.connectedInstance(phone: "5511999998888")
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        for index in 0..<7 {
            try temporary.ingest(inbound(instance, id: "w\(index)", phone: "55119000000\(index)",
                                         at: start.addingTimeInterval(Double(index % 3))))
        }
        var seen: [ConversationID] = []
        var cursor: String?
        repeat {
            let page = try temporary.store.conversations(company: instance.companyID, cursor: cursor, limit: 3)
            seen += page.items.map(\.conversation.id)
            cursor = page.nextCursor
        } while cursor != nil
        XCTAssertEqual(seen.count, 7)
        XCTAssertEqual(Set(seen).count, 7)
        let all = try temporary.store.conversations(company: instance.companyID, limit: 10).items.map(\.conversation)
        XCTAssertEqual(all.map(\.id), seen)
        XCTAssertEqual(all.map(\.lastMessageAt), all.map(\.lastMessageAt).sorted(by: >))
        XCTAssertEqual(all.first.map { _ in all[0].instanceID }, instance.id)
    }

    func test_anotherCompanySeesNoConversationNorMessage() throws {
        let temporary = try TemporaryStore()
        let instance = try temporary.connectedInstance(phone: "5511999998888")
        let rival = try temporary.connectedInstance(phone: "5511988887777")
        guard case .stored(let message, _) = try temporary.ingest(inbound(instance, id: "w1", phone: "5511977770000")) else {
            return XCTFail("not stored")
        }
        XCTAssertEqual(try temporary.store.conversations(company: rival.companyID).items, [])
        XCTAssertEqual(try temporary.store.conversations(company: rival.companyID,
                                                         filter: InboxFilter(instanceID: instance.id)).items, [])
        XCTAssertThrowsError(try temporary.store.conversation(message.conversationID, company: rival.companyID))
        XCTAssertThrowsError(try temporary.store.messages(in: message.conversationID, company: rival.companyID)) { error in
            XCTAssertEqual(error as? StoreError, .conversationNotFound(message.conversationID))
        }
        XCTAssertThrowsError(try temporary.store.queueOperatorSend(OutgoingContent(text: "hi"), to: message.conversationID,
                                                                   company: rival.companyID))
        XCTAssertEqual(try temporary.count("outbox"), 0)
    }

    func test_filtersByTagAssigneeAndText() throws {
        let temporary = try TemporaryStore()
        let instance = try temporary.connectedInstance(phone: "5511999998888")
        try temporary.ingest(inbound(instance, id: "w1", phone: "5511900000001", name: "João", text: "quero um orçamento"))
        try temporary.ingest(inbound(instance, id: "w2", phone: "5511900000002", name: "Maria", text: "bom dia"))
        let joao = try temporary.store.conversations(company: instance.companyID, filter: InboxFilter(text: "João")).items
        XCTAssertEqual(joao.map(\.conversation.contactName), ["João"])
        try temporary.store.transactionNow { transaction in
            try transaction.apply([.tag(conversation: joao[0].conversation.id, tag: "lead"),
                                   .assign(conversation: joao[0].conversation.id, queue: "sales")],
                                  instance: instance, at: Date())
        }
        let byTag = try temporary.store.conversations(company: instance.companyID, filter: InboxFilter(tag: "lead")).items
        XCTAssertEqual(byTag.map(\.conversation.contactName), ["João"])
        XCTAssertEqual(byTag[0].tags, ["lead"])
        let byAssignee = try temporary.store.conversations(company: instance.companyID, filter: InboxFilter(assignee: "sales"))
        XCTAssertEqual(byAssignee.items.map(\.conversation.contactName), ["João"])
        let byText = try temporary.store.conversations(company: instance.companyID, filter: InboxFilter(text: "orçamento"))
        XCTAssertEqual(byText.items.map(\.conversation.contactName), ["João"])
        XCTAssertEqual(try temporary.store.conversations(company: instance.companyID, filter: InboxFilter(text: "100%")).items, [])
    }

    func test_messagesPageBothWays() throws {
        let temporary = try TemporaryStore()
        let instance = try temporary.connectedInstance(phone: "5511999998888")
        for index in 0..<5 { try temporary.ingest(inbound(instance, id: "w\(index)", phone: "5511977770000", text: "m\(index)")) }
        let conversation = try temporary.store.conversations(company: instance.companyID).items[0].conversation.id
        let newest = try temporary.store.messages(in: conversation, company: instance.companyID, limit: 2)
        XCTAssertEqual(newest.items.map(\.content), ["m4", "m3"])
        let older = try temporary.store.messages(in: conversation, company: instance.companyID, cursor: newest.nextCursor, limit: 2)
        XCTAssertEqual(older.items.map(\.content), ["m2", "m1"])
        let oldest = try temporary.store.messages(in: conversation, company: instance.companyID, order: .oldestFirst, limit: 10)
        XCTAssertEqual(oldest.items.map(\.content), ["m0", "m1", "m2", "m3", "m4"])
        XCTAssertNil(oldest.nextCursor)
        XCTAssertThrowsError(try temporary.store.messages(in: conversation, company: instance.companyID, cursor: "%%%")) { error in
            XCTAssertEqual(error as? StoreError, .invalidCursor("%%%"))
        }
    }
}
