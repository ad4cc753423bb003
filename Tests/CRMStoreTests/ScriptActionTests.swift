import CRMCore
import CRMStore
import Foundation
import XCTest

final class ScriptActionTests: XCTestCase {
    func test_actionOnAnotherInstancesConversationUndoesAllActionsOfTheEvent() async throws {
        let fixture = try StoreFixture()
        let vendas = try fixture.connectedInstance("vendas", phone: "5511999998888")
        let suporte = try fixture.connectedInstance("suporte", phone: "5511988887777")
        try await fixture.receive(fixture.message(vendas, id: "w1", phone: "5511911112222"))
        try await fixture.receive(fixture.message(suporte, id: "w2", phone: "5511944445555"))
        let joao = try fixture.store.conversations(instanceID: vendas.id)[0]
        let pedro = try fixture.store.conversations(instanceID: suporte.id)[0]

        do {
            try await fixture.store.transaction { transaction in
                _ = try transaction.apply([.kvSet(key: "seen", value: .integer(1)), .tag(conversation: joao.id, tag: "lead"),
                                           .send(conversation: pedro.id, content: OutgoingContent(text: "from the wrong number"))],
                                          instance: try transaction.instance(vendas.id)!, now: Date())
            }
            XCTFail("a send into another instance's conversation must be refused")
        } catch {
            XCTAssertEqual(error as? ActionRefusal, .conversationNotOfInstance(pedro.id, instanceID: vendas.id))
        }
        XCTAssertNil(try fixture.store.kv(instanceID: vendas.id, key: "seen"))
        XCTAssertEqual(try fixture.store.conversation(id: joao.id, companyID: fixture.acme.id).tags, [])
        XCTAssertEqual(try fixture.store.outboxCount(), 0)
    }

    func test_sendGoesToTheConversationsOwnInstanceAndAddress() async throws {
        let fixture = try StoreFixture()
        let vendas = try fixture.connectedInstance("vendas", phone: "5511999998888")
        try await fixture.receive(fixture.message(vendas, id: "w1", userID: "BR.42"))
        let conversation = try fixture.store.conversations(instanceID: vendas.id)[0]
        let send = try await fixture.store.transaction { transaction in
            try transaction.enqueueSend(conversationID: conversation.id, instanceID: nil,
                                        content: OutgoingContent(text: "olá"), now: Date())
        }
        XCTAssertEqual(send.instanceID, vendas.id)
        XCTAssertEqual(send.recipient, "BR.42")
        XCTAssertEqual(try fixture.store.dueSends(now: Date()).map(\.idempotencyKey), [send.idempotencyKey])
        let messages = try fixture.store.messages(conversationID: conversation.id, companyID: fixture.acme.id)
        XCTAssertEqual(messages.map(\.status), ["received", "queued"])
    }

    func test_kvValuesPersistPerInstance() async throws {
        let fixture = try StoreFixture()
        let vendas = try fixture.connectedInstance("vendas", phone: "5511999998888")
        let suporte = try fixture.connectedInstance("suporte", phone: "5511988887777")
        try await fixture.store.transaction { transaction in
            _ = try transaction.apply([.kvSet(key: "count", value: .integer(3))], instance: try transaction.instance(vendas.id)!,
                                      now: Date())
            let context = transaction.scriptContext(for: try transaction.instance(vendas.id)!, now: Date())
            XCTAssertEqual(context.kv("count"), .integer(3))
            XCTAssertNil(transaction.scriptContext(for: try transaction.instance(suporte.id)!, now: Date()).kv("count"))
        }
        XCTAssertEqual(try Store(folder: fixture.folder).kv(instanceID: vendas.id, key: "count"), .integer(3))
        XCTAssertNil(try fixture.store.kv(instanceID: suporte.id, key: "count"))
    }

    func test_timerIsTakenExactlyOnce() async throws {
        let fixture = try StoreFixture()
        let vendas = try fixture.connectedInstance("vendas", phone: "5511999998888")
        let due = Date().addingTimeInterval(-1)
        try await fixture.store.transaction { transaction in
            _ = try transaction.apply([.timer(name: "follow-up", payload: .object(["n": .integer(1)]), dueAt: due)],
                                      instance: try transaction.instance(vendas.id)!, now: Date())
        }
        let timers = try fixture.store.dueTimers(now: Date())
        XCTAssertEqual(timers.map(\.name), ["follow-up"])
        let first = try await fixture.store.transaction { try $0.takeTimer(id: timers[0].id) }
        let second = try await fixture.store.transaction { try $0.takeTimer(id: timers[0].id) }
        XCTAssertEqual(first?.payload, .object(["n": .integer(1)]))
        XCTAssertNil(second)
        XCTAssertEqual(try fixture.store.dueTimers(now: Date()), [])
    }
}
