import CRMCore
import CRMServer
import CRMSessions
import Foundation
import XCTest

/// Requests answered on the connection, before the router (`DirectPath`):
/// answers in the order requests came, the router's error shape and body
/// limit, `Connection: close`, and the inbox list as the router answers it.
final class DirectPathTests: RawConnectionTestCase {
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
        try assertRefusal(RawHTTPConnection.webhook(oversized, to: vendas, signature: "sha256=00"), on: connection,
                          status: 413, code: "body_too_large")
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
        try assertRefusal(RawHTTPConnection.webhook(body, to: vendas, signature: CloudSignature.header(body: body, appSecret: "x")),
                          on: connection, status: 401, code: "bad_signature")
        let unknown = UUID().uuidString.lowercased()
        let signed = CloudSignature.header(body: body, appSecret: "s-vendas")
        try assertRefusal(RawHTTPConnection.webhook(body, to: unknown, signature: signed), on: connection,
                          status: 404, code: "not_found")
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

    func inboxRequest(_ query: String, authorization: String? = nil, cookie: String? = nil) -> [UInt8] {
        var head = "GET /api/conversations\(query) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        if let authorization { head += "Authorization: \(authorization)\r\n" }
        if let cookie { head += "Cookie: crm_session=\(cookie)\r\n" }
        return Array((head + "\r\n").utf8)
    }

    /// Opens an inbox session with the company's key; returns the cookie's token.
    func signIn(on connection: RawHTTPConnection) throws -> String {
        let body = #"{"key": "\#(host.key)"}"#
        try connection.send(Array("POST /api/session HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8))
        let answer = try connection.answer()
        XCTAssertEqual(answer.status, 200)
        let cookie = try XCTUnwrap(answer.headers["set-cookie"])
        return String(try XCTUnwrap(cookie.split(separator: ";").first).dropFirst("crm_session=".count))
    }

    func test_theInboxListIsTheRoutersAnswer() async throws {
        let connection = try RawHTTPConnection(port: host.server.port)
        try connection.send(signedWebhook(wamid: "wamid.I1", text: "oi"))
        XCTAssertEqual(try connection.answer().status, 200)
        let query = "?limit=10&instance_id=\(vendas!.uppercased())"
        // The bearer key is answered here; the inbox's session cookie goes through the router.
        let token = try signIn(on: connection)
        try connection.send(inboxRequest(query, authorization: "Bearer \(host.key)") + inboxRequest(query, cookie: token))
        let direct = try connection.answer()
        let routed = try connection.answer()
        XCTAssertEqual(direct.status, 200)
        XCTAssertEqual(direct.headers["content-type"], "application/json; charset=utf-8")
        XCTAssertEqual(direct.text, routed.text)
        XCTAssertNotNil(direct.headers["date"])
        let page = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(direct.body)) as? [String: Any])
        let items = try XCTUnwrap(page["items"] as? [[String: Any]])
        XCTAssertEqual(items.count, 1)
        XCTAssertEqual((items.first?["instance"] as? [String: Any])?["id"] as? String, vendas)
    }

    func test_theInboxListRefusesWithTheRoutersErrors() async throws {
        let connection = try RawHTTPConnection(port: host.server.port)
        try assertRefusal(inboxRequest("", authorization: "Bearer not-a-key"), on: connection, status: 401, code: "unauthorized")
        try assertRefusal(inboxRequest("", authorization: "Basic \(host.key)"), on: connection, status: 401, code: "unauthorized")
        try assertRefusal(inboxRequest("?instance_id=nope", authorization: "Bearer \(host.key)"), on: connection,
                          status: 400, code: "invalid_id")
        try assertRefusal(inboxRequest("?limit=0", authorization: "Bearer \(host.key)"), on: connection,
                          status: 400, code: "invalid_field")
    }

    /// Sends `request` and checks that the answer is `status` with the router's error shape and `code`.
    func assertRefusal(_ request: [UInt8], on connection: RawHTTPConnection, status: Int, code: String,
                       file: StaticString = #filePath, line: UInt = #line) throws {
        try connection.send(request)
        let answer = try connection.answer()
        XCTAssertEqual(answer.status, status, file: file, line: line)
        XCTAssertEqual(answer.headers["content-type"], "application/json; charset=utf-8", file: file, line: line)
        XCTAssertTrue(answer.text.contains(#""code":"\#(code)""#), answer.text, file: file, line: line)
    }
}
