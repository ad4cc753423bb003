import CRMCore
import XCTest
@testable import CRMStore

final class ConversationIdentityTests: XCTestCase {
    func test_usernameOnlyContactThenPhoneAppears_isOneConversation() throws {
        let temporary = try TemporaryStore()
        let instance = try temporary.connectedInstance(phone: "5511999998888")
        try temporary.ingest(inbound(instance, id: "w1", userID: "BR.1502576394655843", username: "joao"))
        try temporary.ingest(inbound(instance, id: "w2", phone: "+55 11 97777-0000", userID: "BR.1502576394655843"))
        try temporary.ingest(inbound(instance, id: "w3", phone: "5511977770000"))
        let page = try temporary.store.conversations(company: instance.companyID)
        XCTAssertEqual(page.items.count, 1)
        let conversation = page.items[0].conversation
        XCTAssertEqual(conversation.contactID, "5511977770000")
        XCTAssertEqual(conversation.contactPhone, "5511977770000")
        XCTAssertEqual(conversation.contactUserID, "BR.1502576394655843")
        XCTAssertEqual(conversation.contactUsername, "joao")
        XCTAssertEqual(conversation.unreadCount, 3)
        XCTAssertEqual(try temporary.store.messages(in: conversation.id, company: instance.companyID).items.count, 3)
    }

    func test_phoneAndUserIDConversationsAreMergedWhenOneMessageLinksThem() throws {
        let temporary = try TemporaryStore()
        let instance = try temporary.connectedInstance(phone: "5511999998888")
        try temporary.ingest(inbound(instance, id: "w1", phone: "5511977770000"))
        try temporary.ingest(inbound(instance, id: "w2", userID: "BR.1"))
        XCTAssertEqual(try temporary.count("conversations"), 2)
        try temporary.ingest(inbound(instance, id: "w3", phone: "5511977770000", userID: "BR.1"))
        let items = try temporary.store.conversations(company: instance.companyID).items
        XCTAssertEqual(items.count, 1)
        XCTAssertEqual(items[0].conversation.contactUserID, "BR.1")
        XCTAssertEqual(items[0].conversation.unreadCount, 3)
        XCTAssertEqual(try temporary.store.messages(in: items[0].conversation.id, company: instance.companyID).items.count, 3)
    }

    func test_contactWritingAgainWithTheSameIdentifiers_updatesNamesTimesAndUnreadOnly() throws {
        let temporary = try TemporaryStore()
        let instance = try temporary.connectedInstance(phone: "5511999998888")
        let first = Date(timeIntervalSince1970: 1_800_000_000)
        try temporary.ingest(inbound(instance, id: "w1", phone: "5511977770000", userID: "BR.7", username: "ana",
                                     name: "Ana", at: first))
        try temporary.ingest(inbound(instance, id: "w2", phone: "5511977770000", userID: "BR.7", name: "Ana Paula",
                                     at: first.addingTimeInterval(60)))
        try temporary.ingest(inbound(instance, id: "w3", userID: "BR.7", username: "anap",
                                     at: first.addingTimeInterval(120)))
        let items = try temporary.store.conversations(company: instance.companyID).items
        XCTAssertEqual(items.count, 1)
        let conversation = items[0].conversation
        XCTAssertEqual(conversation.contactID, "5511977770000")
        XCTAssertEqual(conversation.contactPhone, "5511977770000")
        XCTAssertEqual(conversation.contactUserID, "BR.7")
        XCTAssertEqual(conversation.contactUsername, "anap")
        XCTAssertEqual(conversation.contactName, "Ana Paula")
        XCTAssertEqual(conversation.unreadCount, 3)
        XCTAssertEqual(conversation.lastMessageAt, first.addingTimeInterval(120))
        XCTAssertEqual(conversation.lastInboundAt, first.addingTimeInterval(120))
    }

    func test_phoneOfAConversationSeenWithAnotherUserID_keepsItsFirstUserID() throws {
        let temporary = try TemporaryStore()
        let instance = try temporary.connectedInstance(phone: "5511999998888")
        try temporary.ingest(inbound(instance, id: "w1", phone: "5511977770000", userID: "BR.1"))
        try temporary.ingest(inbound(instance, id: "w2", phone: "5511977770000", userID: "BR.2"))
        let items = try temporary.store.conversations(company: instance.companyID).items
        XCTAssertEqual(items.count, 1)
        XCTAssertEqual(items[0].conversation.contactUserID, "BR.1")
        XCTAssertEqual(items[0].conversation.unreadCount, 2)
    }

    func test_sameContactOnTwoInstancesIsTwoConversations() throws {
        let temporary = try TemporaryStore()
        let first = try temporary.connectedInstance(phone: "5511999998888")
        let second = try temporary.connectedInstance(company: first.companyID, phone: "5511988887777")
        try temporary.ingest(inbound(first, id: "w1", phone: "5511977770000"))
        try temporary.ingest(inbound(second, id: "w1", phone: "5511977770000"))
        let items = try temporary.store.conversations(company: first.companyID).items
        XCTAssertEqual(Set(items.map(\.conversation.instanceID)), [first.id, second.id])
        let filtered = try temporary.store.conversations(company: first.companyID, filter: InboxFilter(instanceID: second.id))
        XCTAssertEqual(filtered.items.map(\.conversation.instanceID), [second.id])
    }

    func test_groupMessagesKeepTheirMemberAndShareTheGroupConversation() throws {
        let temporary = try TemporaryStore()
        let instance = try temporary.connectedInstance(phone: "5511999998888")
        let familia = GroupRef(id: "120363000000000001", name: "Família")
        var fromMaria = inbound(instance, id: "g1", userID: familia.id, group: familia)
        fromMaria.sender = ContactIdentity(phone: "5511966660000")
        var fromJoao = inbound(instance, id: "g2", userID: familia.id, group: familia)
        fromJoao.sender = ContactIdentity(phone: "5511977770000")
        try temporary.ingest(fromMaria)
        try temporary.ingest(fromJoao)
        let items = try temporary.store.conversations(company: instance.companyID).items
        XCTAssertEqual(items.count, 1)
        XCTAssertTrue(items[0].conversation.isGroup)
        XCTAssertEqual(items[0].conversation.groupName, "Família")
        let senders = try temporary.store.messages(in: items[0].conversation.id, company: instance.companyID, order: .oldestFirst)
            .items.map(\.sender)
        XCTAssertEqual(senders, ["5511966660000", "5511977770000"])
    }

    func test_redeliveredMessageIsStoredOnce() throws {
        let temporary = try TemporaryStore()
        let instance = try temporary.connectedInstance(phone: "5511999998888")
        let message = inbound(instance, id: "wamid.1", phone: "5511977770000")
        guard case .stored(let first, _) = try temporary.ingest(message) else { return XCTFail("not stored") }
        XCTAssertEqual(try temporary.ingest(message), .duplicate(first.id))
        XCTAssertEqual(try temporary.ingest(message), .duplicate(first.id))
        XCTAssertEqual(try temporary.count("messages"), 1)
        XCTAssertEqual(try temporary.store.conversations(company: instance.companyID).items[0].conversation.unreadCount, 1)
    }

    func test_unknownOrDisconnectedInstanceStoresNothing() throws {
        let temporary = try TemporaryStore()
        let company = try temporary.store.createCompany(name: "Acme")
        let idle = try temporary.store.createInstance(company: company.id, name: "idle")
        XCTAssertThrowsError(try temporary.ingest(inbound(idle, id: "w1", phone: "5511977770000"))) { error in
            XCTAssertEqual(error as? StoreError, .instanceNotConnected(idle.id, status: .disconnected))
        }
        var ghost = idle
        ghost.id = "00000000-0000-4000-8000-000000000000"
        XCTAssertThrowsError(try temporary.ingest(inbound(ghost, id: "w1", phone: "5511977770000"))) { error in
            XCTAssertEqual(error as? StoreError, .instanceNotFound(ghost.id))
        }
        XCTAssertEqual(try temporary.count("messages"), 0)
        XCTAssertEqual(try temporary.count("conversations"), 0)
    }
}
