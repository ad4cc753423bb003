import CRMCore
import CRMStore
import Foundation
import XCTest

final class InboxTests: XCTestCase {
    /// The brief's scenario: acme's two numbers, and a globex number that must never show.
    private func scenario() async throws -> (StoreFixture, vendas: InstanceRecord, suporte: InstanceRecord, other: InstanceRecord) {
        let fixture = try StoreFixture()
        let vendas = try fixture.connectedInstance("vendas", phone: "5511999998888")
        let suporte = try fixture.connectedInstance("suporte", phone: "5511988887777")
        let other = try fixture.connectedInstance("globex", phone: "5521977776666", company: fixture.globex)
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let contacts: [(InstanceRecord, String, String)] = [
            (vendas, "5511911112222", "João"), (vendas, "5511922223333", "Maria"),
            (suporte, "5511944445555", "Pedro"), (suporte, "5511955556666", "Ana"),
            (other, "5521900001111", "Carla"),
        ]
        for (index, (instance, phone, name)) in contacts.enumerated() {
            try await fixture.receive(fixture.message(instance, id: "w\(index)", phone: phone, name: name,
                                                      text: "olá de \(name)", at: start.addingTimeInterval(Double(index))))
        }
        return (fixture, vendas, suporte, other)
    }

    func test_unifiedInboxListsAllOwnInstancesNewestFirstAndNeverAnotherCompany() async throws {
        let (fixture, vendas, suporte, _) = try await scenario()
        let page = try fixture.store.conversations(companyID: fixture.acme.id)
        XCTAssertEqual(page.items.map(\.conversation.contactName), ["Ana", "Pedro", "Maria", "João"])
        XCTAssertEqual(page.items.map(\.instanceName), ["suporte", "suporte", "vendas", "vendas"])
        XCTAssertEqual(page.items.first?.instancePhoneNumber, "5511988887777")
        XCTAssertEqual(Set(page.items.map(\.conversation.instanceID)), [vendas.id, suporte.id])
        XCTAssertNil(page.nextCursor)
        XCTAssertEqual(try fixture.store.conversations(companyID: fixture.globex.id).items.map(\.conversation.contactName), ["Carla"])
    }

    func test_instanceFilterNeverReturnsAnotherInstancesRows() async throws {
        let (fixture, vendas, _, other) = try await scenario()
        let page = try fixture.store.conversations(companyID: fixture.acme.id, filter: InboxFilter(instanceID: vendas.id))
        XCTAssertEqual(page.items.map(\.conversation.contactName), ["Maria", "João"])
        let foreign = try fixture.store.conversations(companyID: fixture.acme.id, filter: InboxFilter(instanceID: other.id))
        XCTAssertEqual(foreign.items.count, 0)
    }

    func test_conversationAndMessagesOfAnotherCompanyAreNotFound() async throws {
        let (fixture, _, _, other) = try await scenario()
        let carla = try fixture.store.conversations(instanceID: other.id)[0]
        XCTAssertThrowsError(try fixture.store.conversation(id: carla.id, companyID: fixture.acme.id)) {
            XCTAssertEqual($0 as? StoreError, .notFound(kind: "conversation", id: String(carla.id)))
        }
        XCTAssertThrowsError(try fixture.store.messages(conversationID: carla.id, companyID: fixture.acme.id))
        XCTAssertThrowsError(try fixture.store.markConversationRead(id: carla.id, companyID: fixture.acme.id))
        XCTAssertEqual(try fixture.store.conversation(id: carla.id, companyID: fixture.globex.id).conversation.contactName, "Carla")
    }

    func test_keysetPaginationVisitsEveryConversationOnceInOrder() async throws {
        let fixture = try StoreFixture()
        let vendas = try fixture.connectedInstance("vendas", phone: "5511999998888")
        let sameTime = Date(timeIntervalSince1970: 1_800_000_000)
        for index in 0..<23 {
            // Ties on last_message_at are broken by id.
            try await fixture.receive(fixture.message(vendas, id: "w\(index)", phone: "55119000000\(10 + index)",
                                                      at: sameTime.addingTimeInterval(Double(index / 5))))
        }
        var seen: [ConversationID] = []
        var cursor: String?
        repeat {
            let page = try fixture.store.conversations(companyID: fixture.acme.id, cursor: cursor, limit: 5)
            seen += page.items.map(\.conversation.id)
            cursor = page.nextCursor
        } while cursor != nil
        let all = try fixture.store.conversations(companyID: fixture.acme.id, limit: 100).items.map(\.conversation.id)
        XCTAssertEqual(seen, all)
        XCTAssertEqual(Set(seen).count, 23)
        XCTAssertThrowsError(try fixture.store.conversations(companyID: fixture.acme.id, cursor: "garbage"))
    }

    func test_tagAssigneeAndTextFilters() async throws {
        let (fixture, vendas, _, _) = try await scenario()
        let conversations = try fixture.store.conversations(instanceID: vendas.id)
        let joao = conversations.first { $0.contactName == "João" }!
        try await fixture.store.transaction { transaction in
            let instance = try transaction.instance(vendas.id)!
            _ = try transaction.apply([.tag(conversation: joao.id, tag: "lead"), .assign(conversation: joao.id, queue: "sales")],
                                      instance: instance, now: Date())
        }
        let byTag = try fixture.store.conversations(companyID: fixture.acme.id, filter: InboxFilter(tag: "lead"))
        XCTAssertEqual(byTag.items.map(\.conversation.id), [joao.id])
        XCTAssertEqual(byTag.items[0].tags, ["lead"])
        let byAssignee = try fixture.store.conversations(companyID: fixture.acme.id, filter: InboxFilter(assignee: "sales"))
        XCTAssertEqual(byAssignee.items.map(\.conversation.id), [joao.id])
        let byText = try fixture.store.conversations(companyID: fixture.acme.id, filter: InboxFilter(text: "de Mar"))
        XCTAssertEqual(byText.items.map(\.conversation.contactName), ["Maria"])
        let noWildcards = try fixture.store.conversations(companyID: fixture.acme.id, filter: InboxFilter(text: "%"))
        XCTAssertEqual(noWildcards.items.count, 0)
    }
}
