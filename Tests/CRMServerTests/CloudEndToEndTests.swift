import AsyncHTTPClient
import CRMCore
import CRMServer
import CRMSessions
import Foundation
import Logging
import NIOCore
import XCTest

/// A cloud instance end to end: a signed webhook reaches the instance's Lua
/// bot, and its reply reaches the Graph API emulator once, through the right
/// phone number id.
final class CloudEndToEndTests: XCTestCase {
    var host: CloudTestHost!

    override func setUp() async throws {
        host = try await CloudTestHost.start()
    }

    override func tearDown() async throws {
        await host.stop()
    }

    func test_signedWebhookReachesTheBotAndItsReplyLeavesOnceThroughTheRightNumber() async throws {
        let vendas = try await host.createCloudInstance("Vendas", phoneNumberID: "PN-VENDAS", token: "token-vendas", secret: "s-vendas")
        _ = try await host.createCloudInstance("Suporte", phoneNumberID: "PN-SUPORTE", token: "token-suporte", secret: "s-suporte")
        let body = CloudPayloads.text(phoneNumberID: "PN-VENDAS", wamid: "wamid.IN1", from: "5511911112222", body: "oi")
        let status = try await host.post(body, to: vendas, signature: CloudSignature.header(body: body, appSecret: "s-vendas"))
        XCTAssertEqual(status, 200)
        let value1 = try await host.post(body, to: vendas, signature: CloudSignature.header(body: body, appSecret: "s-vendas"))
        XCTAssertEqual(value1, 200)
        let sent = try await host.replies(1)
        XCTAssertEqual(sent.count, 1, "the redelivered webhook was answered twice")
        XCTAssertEqual(sent.first?["_phone_number_id"] as? String, "PN-VENDAS")
        XCTAssertEqual(sent.first?["to"] as? String, "5511911112222")
        XCTAssertEqual((sent.first?["text"] as? [String: Any])?["body"] as? String, "eco: oi")
    }

    func test_aThrottlingBurstAndAServerErrorAreRetriedToOneReply() async throws {
        let vendas = try await host.createCloudInstance("Vendas", phoneNumberID: "PN-VENDAS", token: "token-vendas", secret: "s-vendas")
        host.emulator.inject([.throttled, .throttled, .throttled, .serverError])
        let body = CloudPayloads.text(phoneNumberID: "PN-VENDAS", wamid: "wamid.BURST", from: "5511911112222", body: "de novo")
        let status = try await host.post(body, to: vendas, signature: CloudSignature.header(body: body, appSecret: "s-vendas"))
        XCTAssertEqual(status, 200)
        let sent = try await host.replies(1)
        XCTAssertEqual(sent.count, 1, "the reply was lost or sent twice through the retries")
        XCTAssertEqual((sent.first?["text"] as? [String: Any])?["body"] as? String, "eco: de novo")
        let tenant = try await host.tenant()
        let conversations = try await host.daemon.conversations(ConversationQuery(), for: tenant).items
        let conversation = try XCTUnwrap(conversations.first)
        var reply: MessageJSON?
        for _ in 0..<100 {
            reply = try await host.daemon.messages(in: conversation.id, cursor: nil, limit: 50, for: tenant).items
                .first { $0.direction == "out" }
            if reply?.status == "sent" { break }
            try await Task.sleep(for: .milliseconds(25))
        }
        XCTAssertEqual(reply?.status, "sent")
        XCTAssertEqual(reply?.whatsapp_message_id, "wamid.EMU1")
    }

    func test_forgedSignatureChangesNothing() async throws {
        let vendas = try await host.createCloudInstance("Vendas", phoneNumberID: "PN-VENDAS", token: "token-vendas", secret: "s-vendas")
        let body = CloudPayloads.text(phoneNumberID: "PN-VENDAS", wamid: "wamid.F1", from: "5511911112222", body: "oi")
        let value2 = try await host.post(body, to: vendas, signature: CloudSignature.header(body: body, appSecret: "wrong"))
        XCTAssertEqual(value2, 401)
        let value3 = try await host.post(body, to: vendas, signature: nil)
        XCTAssertEqual(value3, 401)
        let tenant = try await host.tenant()
        let value4 = try await host.daemon.conversations(ConversationQuery(), for: tenant).items
        XCTAssertEqual(value4, [])
        let value5 = try await host.replies(0)
        XCTAssertEqual(value5.count, 0)
    }

    func test_usernameOnlyContactIsAnsweredByUserIDAndStaysOneConversationWhenThePhoneAppears() async throws {
        let vendas = try await host.createCloudInstance("Vendas", phoneNumberID: "PN-VENDAS", token: "token-vendas", secret: "s-vendas")
        let first = CloudPayloads.text(phoneNumberID: "PN-VENDAS", wamid: "wamid.U1", from: nil, userID: "BR.1502576394655843",
                                       username: "joao.silva", body: "oi")
        let value6 = try await host.post(first, to: vendas, signature: CloudSignature.header(body: first, appSecret: "s-vendas"))
        XCTAssertEqual(value6, 200)
        let sent = try await host.replies(1)
        XCTAssertEqual(sent.first?["recipient"] as? String, "BR.1502576394655843")
        let later = CloudPayloads.text(phoneNumberID: "PN-VENDAS", wamid: "wamid.U2", from: "5511911112222",
                                       userID: "BR.1502576394655843", body: "de novo")
        let value7 = try await host.post(later, to: vendas, signature: CloudSignature.header(body: later, appSecret: "s-vendas"))
        XCTAssertEqual(value7, 200)
        let tenant = try await host.tenant()
        let rows = try await host.daemon.conversations(ConversationQuery(), for: tenant).items
        XCTAssertEqual(rows.count, 1)
        XCTAssertEqual(rows.first?.contact_user_id, "BR.1502576394655843")
        XCTAssertEqual(rows.first?.contact_phone, "5511911112222")
    }

    func test_verificationAnswersTheChallengeOnlyForTheRightToken() async throws {
        let vendas = try await host.createCloudInstance("Vendas", phoneNumberID: "PN-VENDAS", token: "token-vendas", secret: "s-vendas")
        func get(_ token: String) async throws -> (Int, String) {
            let url = "\(host.server.baseURL)/webhooks/cloud/\(vendas)?hub.mode=subscribe&hub.verify_token=\(token)&hub.challenge=1158201444"
            let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
            return (Int(response.status.code), String(buffer: try await response.body.collect(upTo: 1024)))
        }
        let good = try await get("verify-Vendas")
        XCTAssertEqual(good.0, 200)
        XCTAssertEqual(good.1, "1158201444")
        let value8 = try await get("nope")
        XCTAssertEqual(value8.0, 403)
    }
}
