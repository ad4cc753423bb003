import CRMCore
import CRMStore
import Foundation
import XCTest
@testable import CRMSessions

final class PipelineIsolationTests: XCTestCase {
    func test_repliesAlwaysLeaveFromTheOwningNumber() async throws {
        let fixture = try PipelineFixture(host: .echo())
        let familia = GroupRef(id: "120363000000000001@g.us", name: "Família")
        let trabalho = GroupRef(id: "120363000000000002@g.us", name: "Trabalho")
        let inbound = [
            fixture.message(to: fixture.vendas, id: "v1", from: "5511911112222", name: "João", text: "qual o preço?"),
            fixture.message(to: fixture.vendas, id: "v2", from: "5511922223333", name: "Maria"),
            fixture.message(to: fixture.vendas, id: "v3", from: "5511922223333", name: "Maria", group: familia),
            fixture.message(to: fixture.suporte, id: "s1", from: "5511944445555", name: "Pedro"),
            fixture.message(to: fixture.suporte, id: "s2", from: "5511955556666", name: "Ana"),
            fixture.message(to: fixture.suporte, id: "s3", from: "5511944445555", name: "Pedro", group: trabalho),
        ]
        try await withThrowingTaskGroup(of: Void.self) { group in
            for message in inbound { group.addTask { try await fixture.pipeline.inbound(message) } }
            try await group.waitForAll()
        }
        try await eventually { fixture.vendasPhone.deliveries.count == 3 && fixture.suportePhone.deliveries.count == 3 }
        XCTAssertEqual(Set(fixture.vendasPhone.deliveries.map(\.to)), ["5511911112222", "5511922223333", familia.id])
        XCTAssertEqual(Set(fixture.suportePhone.deliveries.map(\.to)), ["5511944445555", "5511955556666", trabalho.id])
        XCTAssertTrue(fixture.vendasPhone.deliveries.allSatisfy { $0.instanceID == fixture.vendas.id })
        XCTAssertTrue(fixture.suportePhone.deliveries.allSatisfy { $0.instanceID == fixture.suporte.id })
        XCTAssertEqual(fixture.vendasPhone.deliveries.first { $0.to == familia.id }?.isGroup, true)

        let joao = try fixture.conversation(of: fixture.vendas, contact: "5511911112222")
        try await eventually { try fixture.messages(of: joao).last?.status == "sent" }
        XCTAssertEqual(try fixture.messages(of: joao).map(\.content), ["qual o preço?", "re: qual o preço?"])
        XCTAssertEqual(try fixture.store.outboxCount(), 0)
        await fixture.pipeline.shutdown()
    }

    func test_scriptAimingAtAnotherInstancesConversationFailsClearlyAndSendsNothing() async throws {
        let fixture = try PipelineFixture(host: .echo())
        try await fixture.pipeline.inbound(fixture.message(to: fixture.suporte, id: "s1", from: "5511944445555", name: "Pedro"))
        try await eventually { fixture.suportePhone.deliveries.count == 1 }
        let pedro = try fixture.conversation(of: fixture.suporte, contact: "5511944445555")

        let intruder = SwiftScriptHost { event, _ in
            guard case .message = event else { return .none }
            return ScriptOutcome(actions: [.tag(conversation: pedro.id, tag: "stolen"),
                                           .send(conversation: pedro.id, content: OutgoingContent(text: "from the wrong number"))])
        }
        await fixture.pipeline.shutdown()
        fixture.pipeline = fixture.makePipeline(store: fixture.store, host: intruder)
        try await fixture.pipeline.inbound(fixture.message(to: fixture.vendas, id: "v1", from: "5511911112222", name: "João"))

        let errors = try fixture.store.scriptErrors(instanceID: fixture.vendas.id)
        XCTAssertEqual(errors.map(\.failure.kind), ["action"])
        XCTAssertTrue(errors[0].failure.message.contains("does not belong to instance \(fixture.vendas.id)"))
        XCTAssertEqual(try fixture.store.conversation(id: pedro.id, companyID: fixture.company.id).tags, [])
        XCTAssertEqual(try fixture.messages(of: fixture.conversation(of: fixture.vendas, contact: "5511911112222")).count, 1)
        XCTAssertEqual(try fixture.store.outboxCount(), 0)
        XCTAssertEqual(fixture.vendasPhone.attempts, 0)
        XCTAssertEqual(fixture.suportePhone.deliveries.count, 1)
        await fixture.pipeline.shutdown()
    }

    func test_apiSendUsesTheConversationsInstanceAndAnotherCompanyGetsNotFound() async throws {
        let fixture = try PipelineFixture(host: SwiftScriptHost { _, _ in .none })
        try await fixture.pipeline.inbound(fixture.message(to: fixture.suporte, id: "s1", from: "5511944445555"))
        let pedro = try fixture.conversation(of: fixture.suporte, contact: "5511944445555")

        let send = try await fixture.pipeline.send(conversationID: pedro.id, companyID: fixture.company.id,
                                                   content: OutgoingContent(text: "olá Pedro"))
        XCTAssertEqual(send.instanceID, fixture.suporte.id)
        try await eventually { fixture.suportePhone.deliveries.count == 1 }
        XCTAssertEqual(fixture.suportePhone.deliveries[0].to, "5511944445555")
        XCTAssertEqual(fixture.vendasPhone.attempts, 0)

        let other = try fixture.store.createCompany(name: "globex")
        do {
            _ = try await fixture.pipeline.send(conversationID: pedro.id, companyID: other.id, content: OutgoingContent(text: "x"))
            XCTFail("another company's conversation must not be found")
        } catch {
            XCTAssertEqual(error as? StoreError, .notFound(kind: "conversation", id: String(pedro.id)))
        }
        do {
            _ = try await fixture.pipeline.send(conversationID: pedro.id, companyID: fixture.company.id, content: OutgoingContent())
            XCTFail("an empty message must be refused")
        } catch {
            XCTAssertEqual(error as? ActionRefusal, .emptyMessage(pedro.id))
        }
        await fixture.pipeline.shutdown()
    }

    func test_aStalledInstanceDoesNotHoldBackAnother() async throws {
        let fixture = try PipelineFixture(host: .echo())
        fixture.vendasPhone.close()
        for index in 0..<5 {
            try await fixture.pipeline.inbound(fixture.message(to: fixture.vendas, id: "v\(index)", from: "5511911112222"))
        }
        for index in 0..<10 {
            try await fixture.pipeline.inbound(fixture.message(to: fixture.suporte, id: "s\(index)", from: "5511944445555"))
        }
        try await eventually { fixture.suportePhone.deliveries.count == 10 }
        XCTAssertEqual(fixture.vendasPhone.deliveries.count, 0)
        fixture.vendasPhone.open()
        try await eventually { fixture.vendasPhone.deliveries.count == 5 }
        XCTAssertEqual(fixture.vendasPhone.deliveries.map(\.content.text), (0..<5).map { _ in "re: oi" })
        await fixture.pipeline.shutdown()
    }
}
