import AsyncHTTPClient
import CRMCore
import CRMServer
import CRMSessions
import Foundation
import Logging
import NIOCore
import XCTest

/// A daemon without the simulated network, listening on 127.0.0.1 as `serve`
/// does (webhook fast path in front of the router), beside a Graph API
/// emulator with two numbers and a bot folder for the instance "Vendas"
/// (by default one that answers "eco: " and the text).
final class CloudTestHost {
    let emulator: GraphEmulator
    let daemon: Daemon
    let server: LoopbackServer<APIRequestContext>
    let folder: URL
    /// The bootstrap company's API key.
    static let key = "cloud-test-key"
    var key: String { Self.key }

    private init(emulator: GraphEmulator, daemon: Daemon, server: LoopbackServer<APIRequestContext>, folder: URL) {
        self.emulator = emulator
        self.daemon = daemon
        self.server = server
        self.folder = folder
    }

    static let echoBot = #"on("message", function(msg) msg:reply("eco: " .. msg.text) end)"#

    /// - Parameter pipeline: the pipeline's limits, e.g. a small queue.
    static func start(bot script: String = CloudTestHost.echoBot,
                      pipeline: PipelineConfiguration = PipelineConfiguration()) async throws -> CloudTestHost {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("crm-cloud-\(UUID().uuidString)")
        let bot = folder.appendingPathComponent("scripts/Vendas")
        try FileManager.default.createDirectory(at: bot, withIntermediateDirectories: true)
        try script.write(to: bot.appendingPathComponent("main.lua"), atomically: true, encoding: .utf8)
        let emulator = try await GraphEmulator.start()
        emulator.addNumber(phoneNumberID: "PN-VENDAS", display: "+55 11 97777-0000", token: "token-vendas")
        emulator.addNumber(phoneNumberID: "PN-SUPORTE", display: "+55 11 96666-0000", token: "token-suporte")
        var logger = Logger(label: "cloud-e2e")
        logger.logLevel = .error
        var configuration = DaemonConfiguration(dataDirectory: folder.appendingPathComponent("data"),
                                                scriptsDirectory: folder.appendingPathComponent("scripts"),
                                                simulatedNetwork: false, bootstrapKey: key)
        configuration.pipeline = pipeline
        configuration.graphURL = emulator.graphURL
        let daemon = try await Daemon.open(configuration, logger: logger)
        try await daemon.start()
        let server = try await LoopbackServer(router: HTTPServer.router(service: daemon),
                                              server: HTTPServer.server(service: daemon, logger: logger))
        return CloudTestHost(emulator: emulator, daemon: daemon, server: server, folder: folder)
    }

    func stop() async {
        server.stop()
        await daemon.shutdown()
        emulator.stop()
        try? FileManager.default.removeItem(at: folder)
    }

    func tenant() async throws -> Tenant {
        let found = await daemon.tenant(forKey: key)
        return try XCTUnwrap(found)
    }

    func createCloudInstance(_ name: String, phoneNumberID: String, token: String, secret: String) async throws -> String {
        let tenant = try await tenant()
        let config: [String: JSONValue] = [
            "phone_number_id": .string(phoneNumberID), "access_token": .string(token), "app_secret": .string(secret),
            "verify_token": .string("verify-\(name)")]
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

    /// A GET with the company's key, over HTTP: the status and the body.
    func get(_ path: String) async throws -> (status: Int, body: [UInt8]) {
        var request = HTTPClientRequest(url: "\(server.baseURL)\(path)")
        request.headers.add(name: "Authorization", value: "Bearer \(key)")
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 24)
        return (Int(response.status.code), Array(buffer: body))
    }

    func replies(_ count: Int) async throws -> [[String: Any]] {
        for _ in 0..<200 {
            if emulator.accepted.count >= count { break }
            try await Task.sleep(for: .milliseconds(25))
        }
        try await Task.sleep(for: .milliseconds(200))
        return emulator.accepted
    }
}
