import CRMCore
import CRMServer
import Foundation
import Hummingbird
import Logging
import Synchronization

/// A daemon as `serve` runs it, listening on 127.0.0.1 (webhook front, direct
/// path and router), with one Cloud API instance and a bot that reads every
/// field of its messages. The Cloud and HTTP targets share it; it lives as
/// long as the process.
final class FuzzHost: Sendable {
    let daemon: Daemon
    let port: Int
    let instanceID: String
    let folder: URL
    static let key = "fuzz-key"
    static let phoneNumberID = "PN-FUZZ"
    static let appSecret = "fuzz-secret"

    /// The bot: it copies the message into kv, tags the conversation and logs
    /// it, so every field reaches Lua, JSON and storage.
    static let bot = """
        on("message", function(msg)
          local copy = crm.json.decode(crm.json.encode({ text = msg.text, at = msg.at, from = msg.from, media = msg.media }))
          crm.kv.set("last", copy)
          crm.tag(msg.conversation, "seen")
          crm.log.info(msg.id, msg.at, msg.text)
        end)
        """

    private static let started = Mutex<Result<FuzzHost, any Error>?>(nil)

    /// The process's host, started on first use.
    static func shared() throws -> FuzzHost {
        try started.withLock { started in
            if started == nil { started = Result { try Blocking.run { try await FuzzHost.start() } } }
            return try started!.get()
        }
    }

    private init(daemon: Daemon, port: Int, instanceID: String, folder: URL) {
        self.daemon = daemon
        self.port = port
        self.instanceID = instanceID
        self.folder = folder
    }

    private static func start() async throws -> FuzzHost {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("crm-fuzz-\(UUID().uuidString)")
        let bot = folder.appendingPathComponent("scripts/fuzz")
        try FileManager.default.createDirectory(at: bot, withIntermediateDirectories: true)
        try Self.bot.write(to: bot.appendingPathComponent("main.lua"), atomically: true, encoding: .utf8)
        var logger = Logger(label: "fuzz")
        logger.logLevel = .critical
        let daemon = try await Daemon.open(DaemonConfiguration(dataDirectory: folder.appendingPathComponent("data"),
                                                               scriptsDirectory: folder.appendingPathComponent("scripts"),
                                                               simulatedNetwork: false, bootstrapKey: key),
                                           logger: logger)
        try await daemon.start()
        guard let tenant = await daemon.tenant(forKey: key) else { throw FuzzFailure("the bootstrap key has no tenant") }
        let config: [String: JSONValue] = ["phone_number_id": .string(phoneNumberID), "access_token": .string("fuzz-token"),
                                           "app_secret": .string(appSecret), "verify_token": .string("fuzz-verify")]
        let instance = try await daemon.createInstance(NewInstance(name: "fuzz", connector: "cloud", config: config), for: tenant)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let application = Application(router: HTTPServer.router(service: daemon),
                                      server: HTTPServer.server(service: daemon, logger: logger),
                                      configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                                      onServerRunning: { channel in
                                          continuation.yield(channel.localAddress?.port ?? 0)
                                          continuation.finish()
                                      },
                                      logger: logger)
        Task { try await application.run() }
        var port = 0
        for await bound in ports { port = bound }
        return FuzzHost(daemon: daemon, port: port, instanceID: instance.id, folder: folder)
    }
}

/// Runs async work from the fuzz loop's plain thread and waits for it.
enum Blocking {
    static func run<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
        let result = Mutex<Result<T, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            let outcome = await Result { try await body() }
            result.withLock { $0 = outcome }
            done.signal()
        }
        done.wait()
        return try result.withLock { $0! }.get()
    }
}

extension Result where Failure == any Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
