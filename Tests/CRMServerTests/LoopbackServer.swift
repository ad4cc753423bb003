import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

/// Runs a Hummingbird router on 127.0.0.1 on a free port for the length of a test.
final class LoopbackServer<Context: RequestContext>: Sendable where Context.Source == ApplicationRequestContextSource {
    let port: Int
    private let task: Task<Void, any Error>

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// - Parameters:
    ///   - server: the HTTP server in front of the router; the daemon's own for tests of it.
    ///   - configuration: the listener's; a free port on 127.0.0.1 without a connection limit if nil.
    init(router: Router<Context>, server: HTTPServerBuilder = .http1(),
         configuration: ApplicationConfiguration? = nil) async throws {
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        var logger = Logger(label: "test-server")
        logger.logLevel = .error
        let application = Application(router: router, server: server,
                                      configuration: configuration ?? .init(address: .hostname("127.0.0.1", port: 0)),
                                      onServerRunning: { channel in
                                          continuation.yield(channel.localAddress?.port ?? 0)
                                          continuation.finish()
                                      },
                                      logger: logger)
        task = Task { try await application.run() }
        var bound = 0
        for await port in ports { bound = port }
        port = bound
    }

    func stop() { task.cancel() }
}
