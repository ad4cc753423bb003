import AsyncHTTPClient
import CRMServer
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import XCTest

/// A daemon with the simulated network, and listeners on 127.0.0.1 built as
/// `serve` builds them, each with the options and limits a test gives.
final class ListenerTestHost {
    let daemon: Daemon
    let folder: URL
    private var servers: [LoopbackServer<APIRequestContext>] = []
    /// The company `default`'s key: the operator's.
    static let key = "listener-test-key"
    let logger: Logger

    private init(daemon: Daemon, folder: URL, logger: Logger) {
        self.daemon = daemon
        self.folder = folder
        self.logger = logger
    }

    static func start() async throws -> ListenerTestHost {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("crm-listener-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("scripts"), withIntermediateDirectories: true)
        var logger = Logger(label: "listener-test")
        logger.logLevel = .error
        let daemon = try await Daemon.open(DaemonConfiguration(dataDirectory: folder.appendingPathComponent("data"),
                                                               scriptsDirectory: folder.appendingPathComponent("scripts"),
                                                               simulatedNetwork: true, bootstrapKey: key),
                                           logger: logger)
        try await daemon.start()
        return ListenerTestHost(daemon: daemon, folder: folder, logger: logger)
    }

    /// A listener as `serve` runs one; returns its port.
    func listen(_ options: ListenerOptions = ListenerOptions()) async throws -> Int {
        let server = try await LoopbackServer(router: HTTPServer.router(service: daemon, options: options),
                                              server: HTTPServer.server(service: daemon, logger: logger, limits: options.limits),
                                              configuration: HTTPServer.configuration(host: "127.0.0.1", port: 0,
                                                                                      limits: options.limits))
        servers.append(server)
        return server.port
    }

    func stop() async {
        for server in servers { server.stop() }
        await daemon.shutdown()
        try? FileManager.default.removeItem(at: folder)
    }

    /// A request over HTTP: the status, the headers and the body as text.
    func request(_ method: HTTPMethod, _ path: String, port: Int, headers: [(String, String)] = [],
                 body: String? = nil) async throws -> (status: Int, headers: HTTPHeaders, text: String) {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 1 << 24)
        return (Int(response.status.code), response.headers, String(buffer: bytes))
    }
}
