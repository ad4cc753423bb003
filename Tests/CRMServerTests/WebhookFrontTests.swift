import CRMCore
@testable import CRMServer
import CRMSessions
import Foundation
import XCTest

/// Webhooks read straight from the connection's bytes (`WebhookFront`):
/// however the bytes arrive, answers leave in order, and a connection that
/// turns to anything else is handed to the HTTP decoder with nothing lost.
final class WebhookFrontTests: RawConnectionTestCase {
    func test_aWebhookSentAByteAtATimeIsAnsweredOnce() async throws {
        let connection = try RawHTTPConnection(port: host.server.port)
        for byte in signedWebhook(wamid: "wamid.B1", text: "aos poucos") {
            try connection.send([byte])
        }
        let answer = try connection.answer()
        XCTAssertEqual(answer.status, 200)
        XCTAssertEqual(answer.body, [])
        XCTAssertNotNil(answer.headers["date"])
        let texts = try await inboundTexts()
        XCTAssertEqual(texts, ["aos poucos"])
    }

    /// The `200 OK` is written from bytes kept for a second: its `Date` must
    /// still be the time of the answer, a second later too.
    func test_theAcceptedAnswersDateFollowsTheClock() async throws {
        let connection = try RawHTTPConnection(port: host.server.port)
        for n in 1...3 {
            if n > 1 { try await Task.sleep(for: .milliseconds(600)) }
            let before = HTTPDate.format(HTTPDate.currentSecond)
            try connection.send(signedWebhook(wamid: "wamid.D\(n)", text: "d\(n)"))
            let answer = try connection.answer()
            let after = HTTPDate.format(HTTPDate.currentSecond)
            XCTAssertEqual(answer.status, 200)
            XCTAssertEqual(answer.headers["content-length"], "0")
            let date = try XCTUnwrap(answer.headers["date"])
            XCTAssertTrue(date == before || date == after, "answered with \(date), between \(before) and \(after)")
        }
    }

    func test_manyWebhooksInOneWriteAreAllStoredAndAnsweredInOrder() async throws {
        let connection = try RawHTTPConnection(port: host.server.port)
        let forged = signedBody(wamid: "wamid.M-forged", text: "forjada")
        let requests = (1...5).map { signedWebhook(wamid: "wamid.M\($0)", text: "m\($0)") }
        // A forged one in the middle is refused alone; the ones after it still go in.
        try connection.send(requests[0] + requests[1]
                            + RawHTTPConnection.webhook(forged, to: vendas, signature: CloudSignature.header(body: forged, appSecret: "x"))
                            + requests[2] + requests[3] + requests[4])
        let statuses = try (0..<6).map { _ in try connection.answer().status }
        XCTAssertEqual(statuses, [200, 200, 401, 200, 200, 200])
        let texts = try await inboundTexts()
        XCTAssertEqual(texts, ["m1", "m2", "m3", "m4", "m5"])
    }

    func test_aChunkedWebhookIsHandedToTheDecoderAndStillStored() async throws {
        let connection = try RawHTTPConnection(port: host.server.port)
        try connection.send(signedWebhook(wamid: "wamid.C0", text: "antes"))
        XCTAssertEqual(try connection.answer().status, 200)
        let body = signedBody(wamid: "wamid.C1", text: "em pedaços")
        let half = body.count / 2
        var request = "POST /webhooks/cloud/\(vendas!) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        request += "X-Hub-Signature-256: \(CloudSignature.header(body: body, appSecret: "s-vendas"))\r\n"
        request += "Transfer-Encoding: chunked\r\n\r\n"
        var bytes = Array(request.utf8)
        for part in [body[..<half], body[half...]] {
            bytes += Array((String(part.count, radix: 16) + "\r\n").utf8) + part + Array("\r\n".utf8)
        }
        bytes += Array("0\r\n\r\n".utf8)
        // The chunked one and a plain one after it, now read by the decoder.
        try connection.send(bytes + signedWebhook(wamid: "wamid.C2", text: "depois"))
        XCTAssertEqual(try connection.answer().status, 200)
        XCTAssertEqual(try connection.answer().status, 200)
        let texts = try await inboundTexts()
        XCTAssertEqual(texts, ["antes", "depois", "em pedaços"])
    }

    func test_aRequestForTheRouterAfterWebhooksIsAnsweredByIt() async throws {
        let connection = try RawHTTPConnection(port: host.server.port)
        // The router's request starts in the same write as the webhook's end.
        let webhook = signedWebhook(wamid: "wamid.R1", text: "um")
        try connection.send(Array(webhook.dropLast(10)))
        try connection.send(Array(webhook.suffix(10)) + Array(RawHTTPConnection.healthCheck.prefix(7)))
        try connection.send(Array(RawHTTPConnection.healthCheck.dropFirst(7)))
        XCTAssertEqual(try connection.answer().status, 200)
        let health = try connection.answer()
        XCTAssertEqual(health.status, 200)
        XCTAssertEqual(health.text, #"{"status":"ok"}"#)
        let texts = try await inboundTexts()
        XCTAssertEqual(texts, ["um"])
    }

    func test_aClientThatStopsSendingStillGetsItsAnswers() async throws {
        let connection = try RawHTTPConnection(port: host.server.port)
        try connection.send(signedWebhook(wamid: "wamid.H1", text: "um") + signedWebhook(wamid: "wamid.H2", text: "dois"))
        connection.finishSending()
        XCTAssertEqual(try connection.answer().status, 200)
        XCTAssertEqual(try connection.answer().status, 200)
        XCTAssertTrue(connection.closedByServer())
        let texts = try await inboundTexts()
        XCTAssertEqual(texts, ["dois", "um"])
    }

    /// Meta may batch several messages in one POST: the answer waits for all.
    func several(_ texts: [String]) -> [UInt8] {
        let messages: [[String: Any]] = texts.enumerated().map { index, text in
            ["id": "wamid.S\(index)", "from": "5511911112222", "timestamp": "1764410001", "type": "text", "text": ["body": text]]
        }
        let body = CloudPayloads.envelope(phoneNumberID: "PN-VENDAS", value: [
            "contacts": [["wa_id": "5511911112222", "profile": ["name": "João"]]], "messages": messages])
        return RawHTTPConnection.webhook(body, to: vendas, signature: CloudSignature.header(body: body, appSecret: "s-vendas"))
    }

    func test_aWebhookWithSeveralMessagesIsAnsweredOnceAllAreStored() async throws {
        let connection = try RawHTTPConnection(port: host.server.port)
        try connection.send(several(["um", "dois", "três"]))
        XCTAssertEqual(try connection.answer().status, 200)
        let texts = try await inboundTexts()
        XCTAssertEqual(texts, ["dois", "três", "um"])
    }

    func test_aRefusedMessageAmongSeveralIsTheAnswerAndTheOthersAreKept() async throws {
        let connection = try RawHTTPConnection(port: host.server.port)
        let tooLong = String(repeating: "x", count: PipelineConfiguration().maxTextBytes + 1)
        try connection.send(several(["um", tooLong, "três"]))
        let answer = try connection.answer()
        XCTAssertEqual(answer.status, 400)
        XCTAssertTrue(answer.text.contains(#""code":"invalid_field""#), answer.text)
        // Meta redelivers the whole POST; the ones kept are then duplicates.
        try connection.send(several(["um", tooLong, "três"]))
        XCTAssertEqual(try connection.answer().status, 400)
        let texts = try await inboundTexts()
        XCTAssertEqual(texts, ["três", "um"])
    }

    func test_aMalformedRequestGetsTheDecodersErrorAndStoresNothing() async throws {
        let connection = try RawHTTPConnection(port: host.server.port)
        try connection.send(Array("POST /webhooks/cloud/\(vendas!) HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 9\r\n\r\nabcde".utf8))
        let answer = try connection.answer()
        XCTAssertEqual(answer.status, 400)
        let texts = try await inboundTexts()
        XCTAssertEqual(texts, [])
    }
}
