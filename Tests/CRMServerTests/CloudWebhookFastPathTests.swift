import CRMCore
import CRMServer
import CRMSessions
import Foundation
import XCTest

/// The webhook POSTs answered on the connection, before the router
/// (`CloudWebhookFastPath`): answers in the order requests came, the router's
/// error shape and body limit, and `Connection: close`.
final class CloudWebhookFastPathTests: XCTestCase {
    var host: CloudTestHost!
    var vendas: String!

    override func setUp() async throws {
        host = try await CloudTestHost.start()
        vendas = try await host.createCloudInstance("Vendas", phoneNumberID: "PN-VENDAS", token: "token-vendas",
                                                    secret: "s-vendas")
    }

    override func tearDown() async throws {
        await host.stop()
    }

    func signedWebhook(wamid: String, text: String, closing: Bool = false) -> [UInt8] {
        let body = CloudPayloads.text(phoneNumberID: "PN-VENDAS", wamid: wamid, from: "5511911112222", body: text)
        return RawHTTPConnection.webhook(body, to: vendas, signature: CloudSignature.header(body: body, appSecret: "s-vendas"),
                                         closing: closing)
    }

    func inboundTexts() async throws -> [String] {
        let tenant = try await host.tenant()
        guard let conversation = try await host.daemon.conversations(ConversationQuery(), for: tenant).items.first else { return [] }
        return try await host.daemon.messages(in: conversation.id, cursor: nil, limit: 50, for: tenant).items
            .filter { $0.direction == "in" }.map(\.content).sorted()
    }

    func test_pipelinedRequestsAreAnsweredInTheOrderTheyCame() async throws {
        let connection = try RawHTTPConnection(port: host.server.port)
        // A webhook, a request for the router while it waits for its commit,
        // and a webhook that comes while the router's answer is pending.
        try connection.send(signedWebhook(wamid: "wamid.P1", text: "um") + RawHTTPConnection.healthCheck
                            + signedWebhook(wamid: "wamid.P2", text: "dois"))
        let answers = try (0..<3).map { _ in try connection.answer() }
        XCTAssertEqual(answers.map(\.status), [200, 200, 200])
        XCTAssertEqual(answers[0].body, [])
        XCTAssertEqual(answers[1].text, #"{"status":"ok"}"#, "the router's answer left out of order")
        XCTAssertEqual(answers[2].body, [])
        let texts = try await inboundTexts()
        XCTAssertEqual(texts, ["dois", "um"])
    }

    func test_anOversizedBodyIsRefusedWithTheErrorShapeAndTheConnectionGoesOn() async throws {
        let connection = try RawHTTPConnection(port: host.server.port)
        let oversized = [UInt8](repeating: UInt8(ascii: " "), count: APIRequestContext.bodyLimit + 1)
        try connection.send(RawHTTPConnection.webhook(oversized, to: vendas, signature: "sha256=00"))
        let refused = try connection.answer()
        XCTAssertEqual(refused.status, 413)
        XCTAssertEqual(refused.headers["content-type"], "application/json; charset=utf-8")
        XCTAssertTrue(refused.text.contains(#""code":"body_too_large""#), refused.text)
        let nothing = try await inboundTexts()
        XCTAssertEqual(nothing, [])
        try connection.send(signedWebhook(wamid: "wamid.AFTER", text: "depois"))
        XCTAssertEqual(try connection.answer().status, 200)
        let texts = try await inboundTexts()
        XCTAssertEqual(texts, ["depois"])
    }

    func test_failuresCarryTheErrorShape() async throws {
        let connection = try RawHTTPConnection(port: host.server.port)
        let body = CloudPayloads.text(phoneNumberID: "PN-VENDAS", wamid: "wamid.F", from: "5511911112222", body: "oi")
        try connection.send(RawHTTPConnection.webhook(body, to: vendas, signature: CloudSignature.header(body: body, appSecret: "x")))
        let forged = try connection.answer()
        XCTAssertEqual(forged.status, 401)
        XCTAssertTrue(forged.text.contains(#""code":"bad_signature""#), forged.text)
        let unknown = UUID().uuidString.lowercased()
        try connection.send(RawHTTPConnection.webhook(body, to: unknown, signature: CloudSignature.header(body: body, appSecret: "s-vendas")))
        let missing = try connection.answer()
        XCTAssertEqual(missing.status, 404)
        XCTAssertTrue(missing.text.contains(#""code":"not_found""#), missing.text)
        let nothing = try await inboundTexts()
        XCTAssertEqual(nothing, [])
    }

    func test_connectionCloseIsHonoured() async throws {
        let connection = try RawHTTPConnection(port: host.server.port)
        try connection.send(signedWebhook(wamid: "wamid.C1", text: "tchau", closing: true))
        let answer = try connection.answer()
        XCTAssertEqual(answer.status, 200)
        XCTAssertEqual(answer.headers["connection"], "close")
        XCTAssertTrue(connection.closedByServer())
    }
}
