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
    var emulator: GraphEmulator!
    var daemon: Daemon!
    var server: LoopbackServer<APIRequestContext>!
    var folder: URL!
    let key = "cloud-test-key"

    override func setUp() async throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("crm-cloud-\(UUID().uuidString)")
        let bot = folder.appendingPathComponent("scripts/Vendas")
        try FileManager.default.createDirectory(at: bot, withIntermediateDirectories: true)
        try #"on("message", function(msg) msg:reply("eco: " .. msg.text) end)"#
            .write(to: bot.appendingPathComponent("main.lua"), atomically: true, encoding: .utf8)
        emulator = try await GraphEmulator.start()
        emulator.addNumber(phoneNumberID: "PN-VENDAS", display: "+55 11 97777-0000", token: "token-vendas")
        emulator.addNumber(phoneNumberID: "PN-SUPORTE", display: "+55 11 96666-0000", token: "token-suporte")
        var logger = Logger(label: "cloud-e2e")
        logger.logLevel = .error
        daemon = try await Daemon.open(DaemonConfiguration(dataDirectory: folder.appendingPathComponent("data"),
                                                           scriptsDirectory: folder.appendingPathComponent("scripts"),
                                                           simulatedNetwork: false, bootstrapKey: key), logger: logger)
        try await daemon.start()
        server = try await LoopbackServer(router: HTTPServer.router(service: daemon))
    }

    override func tearDown() async throws {
        server.stop()
        await daemon.shutdown()
        emulator.stop()
        try? FileManager.default.removeItem(at: folder)
    }

    func createCloudInstance(_ name: String, phoneNumberID: String, token: String, secret: String) async throws -> String {
        let found = await daemon.tenant(forKey: key)
        let tenant = try XCTUnwrap(found)
        let config: [String: JSONValue] = [
            "phone_number_id": .string(phoneNumberID), "access_token": .string(token), "app_secret": .string(secret),
            "verify_token": .string("verify-\(name)"), "graph_url": .string(emulator.graphURL)]
        let created = try await daemon.createInstance(NewInstance(name: name, connector: "cloud", config: config), for: tenant)
        let connected = try await daemon.connect(created.id, for: tenant)
        XCTAssertEqual(connected.status, "CONNECTED")
        return created.id
    }

    func post(_ body: [UInt8], to instance: String, signature: String?) async throws -> Int {
        var request = HTTPClientRequest(url: "\(server.baseURL)/webhooks/cloud/\(instance)")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        if let signature { request.headers.add(name: "X-Hub-Signature-256", value: signature) }
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        return Int(response.status.code)
    }

    func replies(_ count: Int) async throws -> [[String: Any]] {
        for _ in 0..<200 {
            if emulator.accepted.count >= count { break }
            try await Task.sleep(for: .milliseconds(25))
        }
        try await Task.sleep(for: .milliseconds(200))
        return emulator.accepted
    }

    func test_signedWebhookReachesTheBotAndItsReplyLeavesOnceThroughTheRightNumber() async throws {
        let vendas = try await createCloudInstance("Vendas", phoneNumberID: "PN-VENDAS", token: "token-vendas", secret: "s-vendas")
        _ = try await createCloudInstance("Suporte", phoneNumberID: "PN-SUPORTE", token: "token-suporte", secret: "s-suporte")
        let body = CloudPayloads.text(phoneNumberID: "PN-VENDAS", wamid: "wamid.IN1", from: "5511911112222", body: "oi")
        let status = try await post(body, to: vendas, signature: CloudSignature.header(body: body, appSecret: "s-vendas"))
        XCTAssertEqual(status, 200)
        let value1 = try await post(body, to: vendas, signature: CloudSignature.header(body: body, appSecret: "s-vendas"))
        XCTAssertEqual(value1, 200)
        let sent = try await replies(1)
        XCTAssertEqual(sent.count, 1, "the redelivered webhook was answered twice")
        XCTAssertEqual(sent.first?["_phone_number_id"] as? String, "PN-VENDAS")
        XCTAssertEqual(sent.first?["to"] as? String, "5511911112222")
        XCTAssertEqual((sent.first?["text"] as? [String: Any])?["body"] as? String, "eco: oi")
    }

    func test_aThrottlingBurstAndAServerErrorAreRetriedToOneReply() async throws {
        let vendas = try await createCloudInstance("Vendas", phoneNumberID: "PN-VENDAS", token: "token-vendas", secret: "s-vendas")
        emulator.inject([.throttled, .throttled, .throttled, .serverError])
        let body = CloudPayloads.text(phoneNumberID: "PN-VENDAS", wamid: "wamid.BURST", from: "5511911112222", body: "de novo")
        let status = try await post(body, to: vendas, signature: CloudSignature.header(body: body, appSecret: "s-vendas"))
        XCTAssertEqual(status, 200)
        let sent = try await replies(1)
        XCTAssertEqual(sent.count, 1, "the reply was lost or sent twice through the retries")
        XCTAssertEqual((sent.first?["text"] as? [String: Any])?["body"] as? String, "eco: de novo")
        let found = await daemon.tenant(forKey: key)
        let tenant = try XCTUnwrap(found)
        let conversations = try await daemon.conversations(ConversationQuery(), for: tenant).items
        let conversation = try XCTUnwrap(conversations.first)
        var reply: MessageJSON?
        for _ in 0..<100 {
            reply = try await daemon.messages(in: conversation.id, cursor: nil, limit: 50, for: tenant).items
                .first { $0.direction == "out" }
            if reply?.status == "sent" { break }
            try await Task.sleep(for: .milliseconds(25))
        }
        XCTAssertEqual(reply?.status, "sent")
        XCTAssertEqual(reply?.whatsapp_message_id, "wamid.EMU1")
    }

    func test_forgedSignatureChangesNothing() async throws {
        let vendas = try await createCloudInstance("Vendas", phoneNumberID: "PN-VENDAS", token: "token-vendas", secret: "s-vendas")
        let body = CloudPayloads.text(phoneNumberID: "PN-VENDAS", wamid: "wamid.F1", from: "5511911112222", body: "oi")
        let value2 = try await post(body, to: vendas, signature: CloudSignature.header(body: body, appSecret: "wrong"))
        XCTAssertEqual(value2, 401)
        let value3 = try await post(body, to: vendas, signature: nil)
        XCTAssertEqual(value3, 401)
        let found = await daemon.tenant(forKey: key)
        let tenant = try XCTUnwrap(found)
        let value4 = try await daemon.conversations(ConversationQuery(), for: tenant).items
        XCTAssertEqual(value4, [])
        let value5 = try await replies(0)
        XCTAssertEqual(value5.count, 0)
    }

    func test_usernameOnlyContactIsAnsweredByUserIDAndStaysOneConversationWhenThePhoneAppears() async throws {
        let vendas = try await createCloudInstance("Vendas", phoneNumberID: "PN-VENDAS", token: "token-vendas", secret: "s-vendas")
        let first = CloudPayloads.text(phoneNumberID: "PN-VENDAS", wamid: "wamid.U1", from: nil, userID: "BR.1502576394655843",
                                       username: "joao.silva", body: "oi")
        let value6 = try await post(first, to: vendas, signature: CloudSignature.header(body: first, appSecret: "s-vendas"))
        XCTAssertEqual(value6, 200)
        let sent = try await replies(1)
        XCTAssertEqual(sent.first?["recipient"] as? String, "BR.1502576394655843")
        let later = CloudPayloads.text(phoneNumberID: "PN-VENDAS", wamid: "wamid.U2", from: "5511911112222",
                                       userID: "BR.1502576394655843", body: "de novo")
        let value7 = try await post(later, to: vendas, signature: CloudSignature.header(body: later, appSecret: "s-vendas"))
        XCTAssertEqual(value7, 200)
        let found = await daemon.tenant(forKey: key)
        let tenant = try XCTUnwrap(found)
        let rows = try await daemon.conversations(ConversationQuery(), for: tenant).items
        XCTAssertEqual(rows.count, 1)
        XCTAssertEqual(rows.first?.contact_user_id, "BR.1502576394655843")
        XCTAssertEqual(rows.first?.contact_phone, "5511911112222")
    }

    func test_verificationAnswersTheChallengeOnlyForTheRightToken() async throws {
        let vendas = try await createCloudInstance("Vendas", phoneNumberID: "PN-VENDAS", token: "token-vendas", secret: "s-vendas")
        func get(_ token: String) async throws -> (Int, String) {
            let url = "\(server.baseURL)/webhooks/cloud/\(vendas)?hub.mode=subscribe&hub.verify_token=\(token)&hub.challenge=1158201444"
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
