@testable import CRMServer
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import XCTest

/// A daemon and its listener on 127.0.0.1 run as `serve` runs them: the
/// application inside a service group, so a stop is the graceful one a
/// SIGTERM starts, the daemon shut down after the listener has drained.
final class EventStreamTestHost {
    static let key = "event-stream-test-key"
    let daemon: Daemon
    let port: Int
    private let folder: URL
    private let group: ServiceGroup
    private let running: Task<Void, any Error>

    private init(daemon: Daemon, port: Int, folder: URL, group: ServiceGroup, running: Task<Void, any Error>) {
        self.daemon = daemon; self.port = port; self.folder = folder; self.group = group; self.running = running
    }

    /// - Parameter keepAlive: how often idle streams get a comment line.
    static func start(keepAlive: Duration) async throws -> EventStreamTestHost {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("crm-events-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("scripts"), withIntermediateDirectories: true)
        var logger = Logger(label: "event-stream-test")
        logger.logLevel = .error
        var configuration = DaemonConfiguration(dataDirectory: folder.appendingPathComponent("data"),
                                                scriptsDirectory: folder.appendingPathComponent("scripts"),
                                                simulatedNetwork: false, bootstrapKey: key)
        configuration.eventKeepAlive = keepAlive
        let daemon = try await Daemon.open(configuration, logger: logger)
        try await daemon.start()
        let limits = ConnectionLimits()
        let (ports, bound) = AsyncStream<Int>.makeStream()
        let application = Application(router: HTTPServer.router(service: daemon),
                                      server: HTTPServer.server(service: daemon, logger: logger, limits: limits),
                                      configuration: HTTPServer.configuration(host: "127.0.0.1", port: 0, limits: limits),
                                      onServerRunning: { channel in
                                          bound.yield(channel.localAddress?.port ?? 0)
                                          bound.finish()
                                      },
                                      logger: logger)
        let group = ServiceGroup(configuration: .init(services: [application], logger: logger))
        let running = Task { try await group.run() }
        var port = 0
        for await value in ports { port = value }
        return EventStreamTestHost(daemon: daemon, port: port, folder: folder, group: group, running: running)
    }

    /// Starts the graceful stop a signal starts; true when the listener has
    /// drained within `limit`. When it has not, it is cancelled so the test ends.
    func stopGracefully(within limit: Duration) async -> Bool {
        await group.triggerGracefulShutdown()
        let running = self.running
        let drained = await withTaskGroup(of: Bool.self) { waiters in
            waiters.addTask {
                _ = try? await running.value
                return true
            }
            waiters.addTask {
                try? await Task.sleep(for: limit)
                return false
            }
            let first = await waiters.next() ?? false
            if !first { running.cancel() }
            waiters.cancelAll()
            return first
        }
        await daemon.shutdown()
        return drained
    }

    /// Waits until the daemon's bus has `count` subscribers; false after `limit`.
    func subscribers(reach count: Int, within limit: Duration) async throws -> Bool {
        let deadline = ContinuousClock.now + limit
        while daemon.bus.subscriberCount != count {
            if ContinuousClock.now >= deadline { return false }
            try await Task.sleep(for: .milliseconds(10))
        }
        return true
    }

    func removeFolder() {
        try? FileManager.default.removeItem(at: folder)
    }
}
