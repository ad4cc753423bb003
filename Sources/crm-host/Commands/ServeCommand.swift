import ArgumentParser
import CRMServer
import CRMSessions
import CRMStore
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// `crm-host [serve]`: the daemon on the embedded defaults (SPEC §11).
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Runs the daemon.")

    @Option(help: "Folder of per-instance bot scripts.")
    var scripts: String = "scripts"

    @Option(help: "Folder for the SQLite file, credentials and keys.")
    var data: String = "data"

    @Option(help: "Address to listen on, HOST:PORT.")
    var listen: String = "127.0.0.1:8080"

    @Flag(help: "Turn off the simulated WhatsApp network.")
    var noSim = false

    @Option(help: "The master key's file, kept away from the data folder it protects (default: DATA/master.key; CRM_MASTER_KEY_FILE sets it too, CRM_MASTER_KEY gives the key itself).")
    var masterKey: String?

    @OptionGroup var listener: ListenerArguments

    @Option(help: ArgumentHelp(
        "When a commit is acknowledged: full (synced to stable storage, the default) or relaxed (survives a crash of the process, not power loss).",
        discussion: "CRM_DURABILITY sets it too; the option wins."))
    var durability: String?

    @Option(help: ArgumentHelp(
        "Where cloud instances reach the Graph API, an http(s) URL (default: Meta's, https://graph.facebook.com).",
        discussion: "CRM_GRAPH_URL sets it too; the option wins. For tests and proxies: instances cannot choose it."))
    var graphURL: String?

    @Option(help: "Event loops serving HTTP and running tasks (default: one per core, less the one the pipeline's writer takes; at least one).")
    var eventLoops: Int?

    func validate() throws {
        if let eventLoops, eventLoops < 1 { throw ValidationError("--event-loops must be at least 1") }
        if noSim, listener.sim { throw ValidationError("--sim and --no-sim ask for opposite things") }
        _ = try chosenDurability()
        _ = try chosenGraphURL()
    }

    func run() async throws {
        // Tasks run on the server's event loops instead of a pool of their own:
        // a request's handler then runs where its connection is read and
        // written, without a hand-off between threads each way. Nothing the
        // daemon runs in a task blocks for long (the pipeline's writer, the
        // checkpointer and the script watcher have threads of their own, and
        // the inbox list's reads run beside the loops, on `ReadExecutor`).
        //
        // The pipeline's writer is a thread of its own that is busy whenever
        // messages come fast, so the loops leave it a core: on two cores one
        // loop took 7–15 % more webhooks per second than two, which spent
        // their time switching with the writer (see BENCHMARKS.md).
        NIOSingletons.groupLoopCountSuggestion = eventLoops ?? max(1, System.coreCount - 1)
        _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        let (host, port) = try ServeCommand.address(listen)
        LoggingSystem.bootstrap { label in LineLogHandler(label: label) }
        var logger = Logger(label: "crm-host")
        logger.logLevel = ProcessInfo.processInfo.environment["CRM_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        var configuration = DaemonConfiguration(
            dataDirectory: URL(fileURLWithPath: data),
            scriptsDirectory: URL(fileURLWithPath: scripts),
            simulatedNetwork: !noSim,
            bootstrapKey: ProcessInfo.processInfo.environment["CRM_BOOTSTRAP_KEY"])
        configuration.durability = try chosenDurability()
        configuration.graphURL = try chosenGraphURL()
        configuration.masterKeyFile = masterKey.map { URL(fileURLWithPath: $0) }
        let daemon = try await Daemon.open(configuration, logger: logger)
        let options = listener.options(host: host)
        let application = HTTPServer.application(service: daemon, host: host, port: port, options: options, logger: logger)
        try await daemon.start()
        print("crm-host listening on http://\(host):\(port)/")
        for line in daemon.startupReport() { print(line) }
        if !noSim, !options.servesSimulator { print("/sim is not served on \(host), which is not loopback (--sim serves it there)") }
        // Services stop in reverse order: the listener first, then the daemon finishes what is in flight.
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: DaemonService(daemon: daemon)), .init(service: application)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
    }

    /// `--graph-url`, else `CRM_GRAPH_URL`, else Meta's Graph API.
    func chosenGraphURL() throws -> String {
        guard let text = graphURL ?? ProcessInfo.processInfo.environment["CRM_GRAPH_URL"] else {
            return CloudConfiguration.defaultGraphURL
        }
        guard CloudConfiguration.isValidGraphURL(text) else {
            throw ValidationError("--graph-url (or CRM_GRAPH_URL) must be an http or https URL, not '\(text)'")
        }
        return text
    }

    /// `--durability`, else `CRM_DURABILITY`, else full.
    func chosenDurability() throws -> StoreDurability {
        guard let text = durability ?? ProcessInfo.processInfo.environment["CRM_DURABILITY"] else { return .full }
        guard let chosen = StoreDurability(rawValue: text) else {
            throw ValidationError("--durability (or CRM_DURABILITY) must be full or relaxed, not '\(text)'")
        }
        return chosen
    }

    static func address(_ text: String) throws -> (String, Int) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
              (0...65535).contains(port) else {
            throw ValidationError("--listen must be HOST:PORT, e.g. 127.0.0.1:8080")
        }
        return (String(text[..<colon]), port)
    }
}

/// Runs the daemon's background work as a service, so a signal lets it finish
/// the events in flight before the process exits.
struct DaemonService: Service {
    let daemon: Daemon

    func run() async throws {
        try? await gracefulShutdown()
        await daemon.shutdown()
    }
}
