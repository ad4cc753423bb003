import CRMCore
import CRMStore
import Foundation
import XCTest

final class ConversationIdentityTests: XCTestCase {
    func test_usernameContactThenPhoneAppearsIsOneConversation() async throws {
        let fixture = try StoreFixture()
        let vendas = try fixture.connectedInstance("vendas", phone: "5511999998888")
        try await fixture.receive(fixture.message(vendas, id: "w1", userID: "BR.1502576394655843", username: "joao.silva"))
        let first = try XCTUnwrap(try fixture.store.conversations(instanceID: vendas.id).first)
        XCTAssertEqual(first.contactID, "BR.1502576394655843")
        XCTAssertNil(first.contactPhone)

        try await fixture.receive(fixture.message(vendas, id: "w2", phone: "5511911112222", userID: "BR.1502576394655843"))
        try await fixture.receive(fixture.message(vendas, id: "w3", phone: "5511911112222"))
        let conversations = try fixture.store.conversations(instanceID: vendas.id)
        XCTAssertEqual(conversations.count, 1)
        XCTAssertEqual(conversations[0].id, first.id)
        XCTAssertEqual(conversations[0].contactID, "5511911112222")
        XCTAssertEqual(conversations[0].contactUserID, "BR.1502576394655843")
        XCTAssertEqual(conversations[0].contactUsername, "joao.silva")
        XCTAssertEqual(conversations[0].unreadCount, 3)
        XCTAssertEqual(conversations[0].replyAddress, "5511911112222")
    }

    func test_phoneConversationAndUserIDConversationMergeWhenOneMessageLinksThem() async throws {
        let fixture = try StoreFixture()
        let vendas = try fixture.connectedInstance("vendas", phone: "5511999998888")
        try await fixture.receive(fixture.message(vendas, id: "w1", phone: "5511911112222"))
        try await fixture.receive(fixture.message(vendas, id: "w2", userID: "BR.77"))
        XCTAssertEqual(try fixture.store.conversations(instanceID: vendas.id).count, 2)

        try await fixture.receive(fixture.message(vendas, id: "w3", phone: "5511911112222", userID: "BR.77"))
        let conversations = try fixture.store.conversations(instanceID: vendas.id)
        XCTAssertEqual(conversations.count, 1)
        XCTAssertEqual(conversations[0].contactUserID, "BR.77")
        let messages = try fixture.store.messages(conversationID: conversations[0].id, companyID: fixture.acme.id)
        XCTAssertEqual(messages.map(\.whatsappMessageID), ["w1", "w2", "w3"])
    }

    func test_samePersonOnTwoInstancesIsTwoConversations() async throws {
        let fixture = try StoreFixture()
        let vendas = try fixture.connectedInstance("vendas", phone: "5511999998888")
        let suporte = try fixture.connectedInstance("suporte", phone: "5511988887777")
        try await fixture.receive(fixture.message(vendas, id: "w1", phone: "5511911112222"))
        try await fixture.receive(fixture.message(suporte, id: "w1", phone: "5511911112222"))
        XCTAssertEqual(try fixture.store.conversations(instanceID: vendas.id).count, 1)
        XCTAssertEqual(try fixture.store.conversations(instanceID: suporte.id).count, 1)
        XCTAssertNotEqual(try fixture.store.conversations(instanceID: vendas.id)[0].id,
                          try fixture.store.conversations(instanceID: suporte.id)[0].id)
    }

    func test_groupMessagesShareTheGroupConversationAndKeepTheirSender() async throws {
        let fixture = try StoreFixture()
        let vendas = try fixture.connectedInstance("vendas", phone: "5511999998888")
        let familia = GroupRef(id: "120363000000000001@g.us", name: "Família")
        try await fixture.receive(fixture.message(vendas, id: "g1", phone: "5511911112222", group: familia))
        try await fixture.receive(fixture.message(vendas, id: "g2", phone: "5511933334444", group: familia))
        let conversations = try fixture.store.conversations(instanceID: vendas.id)
        XCTAssertEqual(conversations.count, 1)
        XCTAssertTrue(conversations[0].isGroup)
        XCTAssertEqual(conversations[0].groupName, "Família")
        XCTAssertEqual(conversations[0].replyAddress, familia.id)
        let messages = try fixture.store.messages(conversationID: conversations[0].id, companyID: fixture.acme.id)
        XCTAssertEqual(messages.map(\.sender), ["5511911112222", "5511933334444"])
    }

    func test_redeliveredMessageIsStoredOnce() async throws {
        let fixture = try StoreFixture()
        let vendas = try fixture.connectedInstance("vendas", phone: "5511999998888")
        let message = fixture.message(vendas, id: "wamid.1", phone: "5511911112222")
        guard case .stored = try await fixture.receive(message) else { return XCTFail("first delivery must be stored") }
        let again = try await fixture.receive(message)
        XCTAssertEqual(again, .duplicate)
        let conversation = try fixture.store.conversations(instanceID: vendas.id)[0]
        XCTAssertEqual(conversation.unreadCount, 1)
        XCTAssertEqual(try fixture.store.messages(conversationID: conversation.id, companyID: fixture.acme.id).count, 1)
    }

    func test_badInboundIsRefusedWithATypedErrorAndStoresNothing() async throws {
        let fixture = try StoreFixture()
        let vendas = try fixture.connectedInstance("vendas", phone: "5511999998888")
        let offline = try fixture.store.createInstance(companyID: fixture.acme.id, name: "offline")
        let cases: [(InboundMessage, InboundRejection)] = [
            (InboundMessage(instanceID: "no-such-instance", whatsappID: "w1", contact: ContactIdentity(phone: "1"), text: "oi"),
             .unknownInstance("no-such-instance")),
            (fixture.message(offline, id: "w2", phone: "5511911112222"), .instanceNotConnected(offline.id, status: .disconnected)),
            (fixture.message(vendas, id: "w3", phone: "5511911112222", text: String(repeating: "a", count: 64 * 1024 + 1)),
             .textTooLong(bytes: 64 * 1024 + 1, limit: 64 * 1024)),
            (fixture.message(vendas, id: "", phone: "5511911112222"), .missingField("the message's WhatsApp id")),
            (fixture.message(vendas, id: "w4", username: "only.a.name"), .missingField("the contact's phone or user id")),
        ]
        for (message, rejection) in cases {
            do {
                try await fixture.receive(message)
                XCTFail("\(message.whatsappID) must be refused")
            } catch {
                XCTAssertEqual(error as? InboundRejection, rejection)
            }
        }
        XCTAssertEqual(try fixture.store.conversations(instanceID: vendas.id), [])
        XCTAssertEqual(try fixture.store.conversations(instanceID: offline.id), [])
    }

    func test_invalidUTF8IsRefusedNotRepaired() {
        XCTAssertThrowsError(try InboundRejection.text(fromUTF8: [0x6f, 0xff, 0x69])) {
            XCTAssertEqual($0 as? InboundRejection, .invalidUTF8)
        }
        XCTAssertEqual(try InboundRejection.text(fromUTF8: Array("preço".utf8)), "preço")
    }
}
