import CRMCore
import XCTest
@testable import CRMStore

/// Contacts' conversations are kept across the pipeline's transactions
/// (`ContactRouteCache`); each test first makes the store keep a contact, then
/// changes what it would have kept, and checks that the next message sees the
/// change.
final class ContactRouteCacheTests: XCTestCase {
    private let phone = "5511977770000"
    private let userID = "BR.1502576394655843"

    func test_userIDOnlyMessageAfterItsPhoneWasLinked_isAnsweredThroughThePhone() throws {
        let temporary = try TemporaryStore()
        let instance = try temporary.connectedInstance(phone: "5511999998888")
        try temporary.ingest(inbound(instance, id: "w1", userID: userID))
        try temporary.ingest(inbound(instance, id: "w2", userID: userID))
        try temporary.ingest(inbound(instance, id: "w3", phone: phone, userID: userID))

        let route = try routeOfStored(inbound(instance, id: "w4", userID: userID), in: temporary)
        XCTAssertEqual(route.to, phone)
        XCTAssertFalse(route.toUserID)
        XCTAssertEqual(try temporary.count("conversations"), 1)
    }

    func test_userIDOfAMergedConversation_leadsToTheConversationItWasMergedInto() throws {
        let temporary = try TemporaryStore()
        let instance = try temporary.connectedInstance(phone: "5511999998888")
        try temporary.ingest(inbound(instance, id: "w1", phone: phone))
        try temporary.ingest(inbound(instance, id: "w2", phone: phone))
        try temporary.ingest(inbound(instance, id: "w3", userID: userID))
        try temporary.ingest(inbound(instance, id: "w4", userID: userID))
        XCTAssertEqual(try temporary.count("conversations"), 2)
        try temporary.ingest(inbound(instance, id: "w5", phone: phone, userID: userID))

        let route = try routeOfStored(inbound(instance, id: "w6", userID: userID), in: temporary)
        let items = try temporary.store.conversations(company: instance.companyID).items
        XCTAssertEqual(items.map(\.conversation.id), [route.conversation])
        XCTAssertEqual(route.to, phone)
        XCTAssertEqual(items[0].conversation.unreadCount, 6)
    }

    func test_messageFromTheNumberAContactLeft_startsAConversationOfItsOwn() throws {
        let temporary = try TemporaryStore()
        let instance = try temporary.connectedInstance(phone: "5511999998888")
        try temporary.ingest(inbound(instance, id: "w1", phone: phone))
        guard case .stored(let kept, _) = try temporary.ingest(inbound(instance, id: "w2", phone: phone)) else {
            return XCTFail("not stored")
        }
        let newNumber = "5511966660000"
        XCTAssertEqual(try temporary.store.relinkContact(instance: instance.id, from: ContactIdentity(phone: phone),
                                                         to: ContactIdentity(phone: newNumber)), 1)

        let fromOldNumber = try routeOfStored(inbound(instance, id: "w3", phone: phone), in: temporary)
        let fromNewNumber = try routeOfStored(inbound(instance, id: "w4", phone: newNumber), in: temporary)
        XCTAssertNotEqual(fromOldNumber.conversation, kept.conversationID)
        XCTAssertEqual(fromNewNumber.conversation, kept.conversationID)
        XCTAssertEqual(fromNewNumber.to, newNumber)
    }

    func test_transactionRolledBack_leavesWhatWasKeptAsItWas() throws {
        struct Abandoned: Error {}
        let temporary = try TemporaryStore()
        let instance = try temporary.connectedInstance(phone: "5511999998888")
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        try temporary.ingest(inbound(instance, id: "w1", phone: phone, at: start))
        try temporary.ingest(inbound(instance, id: "w2", phone: phone, at: start.addingTimeInterval(10)))
        XCTAssertThrowsError(try temporary.store.transactionNow { transaction in
            try transaction.ingest(inbound(instance, id: "w3", phone: self.phone, at: start.addingTimeInterval(100)))
            throw Abandoned()
        })

        let route = try routeOfStored(inbound(instance, id: "w4", phone: phone, at: start.addingTimeInterval(20)),
                                      in: temporary)
        XCTAssertEqual(route.lastInboundAt, start.addingTimeInterval(20).storageSeconds)
    }

    func test_conversationsOfADeletedInstance_areNotKept() throws {
        let temporary = try TemporaryStore()
        let instance = try temporary.connectedInstance(phone: "5511999998888")
        try temporary.ingest(inbound(instance, id: "w1", phone: phone))
        try temporary.ingest(inbound(instance, id: "w2", phone: phone))
        XCTAssertNotNil(temporary.store.contactRoutes.route(key(instance)))

        try temporary.store.deleteInstance(instance.id, company: instance.companyID)
        XCTAssertNil(temporary.store.contactRoutes.route(key(instance)))
    }

    func test_pastItsCapacity_itStartsOverRatherThanGrow() {
        let cache = ContactRouteCache()
        let instance = "bench-instance"
        func learn(_ numbers: Range<Int>) {
            var contacts: [ContactRouteCache.Key: ConversationID] = [:]
            var routes: [ConversationID: ReplyRoute] = [:]
            for number in numbers {
                let conversation = ConversationID(number)
                contacts[ContactRouteCache.Key(instance: instance, byPhone: true, value: "\(number)")] = conversation
                routes[conversation] = ReplyRoute(conversation: conversation, instanceID: instance, isGroup: false,
                                                  contactID: "\(number)", phone: "\(number)", userID: nil,
                                                  lastInboundAt: nil)
            }
            cache.remember(contacts, routes: routes, forgetting: [])
        }
        func kept(_ number: Int) -> Bool {
            cache.route(ContactRouteCache.Key(instance: instance, byPhone: true, value: "\(number)")) != nil
        }
        let capacity = ContactRouteCache.capacity
        learn(0..<capacity)
        XCTAssertTrue(kept(0))
        XCTAssertTrue(kept(capacity - 1))

        learn(capacity..<(capacity + 10))
        XCTAssertFalse(kept(0))
        XCTAssertFalse(kept(capacity - 1))
        XCTAssertTrue(kept(capacity))
        XCTAssertTrue(kept(capacity + 9))
    }

    /// Stores `message` in a transaction of its own and returns the route its
    /// conversation had in that transaction, as a reply would have used it.
    private func routeOfStored(_ message: InboundMessage, in temporary: TemporaryStore) throws -> ReplyRoute {
        try temporary.store.transactionNow { transaction in
            guard case .stored(let record, _) = try transaction.ingest(message),
                  let route = try transaction.route(record.conversationID) else {
                throw NotStored(whatsappID: message.whatsappID)
            }
            return route
        }
    }

    private struct NotStored: Error { var whatsappID: String }

    private func key(_ instance: InstanceRecord) -> ContactRouteCache.Key {
        ContactRouteCache.Key(instance: instance.id, byPhone: true, value: phone)
    }
}
