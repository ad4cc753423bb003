import CRMCore
import CRMScripting
import CRMSessions
import CRMStore
import Foundation
import Logging

/// The whole host in one process: storage, the pipeline, the bots, the
/// instances' sessions and the simulated network, wired together. The HTTP
/// layer talks to it through `InboxService`.
public final class Daemon: Sendable {
    let configuration: DaemonConfiguration
    let logger: Logger
    let store: CRMStore
    let scripts: ScriptEngine
    /// Which company's bots may serve each instance.
    let scriptOwners: ScriptOwners
    let pipeline: MessagePipeline
    let sessions: InstanceSessions
    let network: SimNetwork?
    let vault: CredentialVault
    let bus: EventBus
    let metrics = MetricsRegistry()
    let report: [String]
    /// Each cloud instance's webhook settings with its secrets unsealed, for a
    /// second: every webhook POST needs them, and reading and unsealing them
    /// took two read transactions and a decryption per request. Logout and
    /// delete forget an instance's entry at once.
    let cloudConfigurations = ExpiringCache<InstanceID, CloudConfiguration>(lifetime: 1)

    /// Opens the data folder (migrating it), bootstraps the first company and
    /// key, and builds every part; nothing runs until `start()`.
    public static func open(_ configuration: DaemonConfiguration, logger: Logger) async throws -> Daemon {
        try FileManager.default.createDirectory(at: configuration.dataDirectory, withIntermediateDirectories: true)
        let store = try CRMStore(folder: configuration.dataDirectory, durability: configuration.durability)
        let report = try Bootstrap.run(store: store, dataDirectory: configuration.dataDirectory,
                                       presetKey: configuration.bootstrapKey)
        let vault = try CredentialVault.load(dataDirectory: configuration.dataDirectory, keyFile: configuration.masterKeyFile)
        let network = configuration.simulatedNetwork
            ? try SimNetwork(ledgerPath: configuration.dataDirectory.appendingPathComponent("sim.sqlite").path)
            : nil
        return Daemon(configuration: configuration, logger: logger, store: store, vault: vault, network: network,
                      report: report)
    }

    private init(configuration: DaemonConfiguration, logger: Logger, store: CRMStore, vault: CredentialVault,
                 network: SimNetwork?, report: [String]) {
        self.configuration = configuration
        self.logger = logger
        self.store = store
        self.vault = vault
        self.network = network
        self.report = report
        let bus = EventBus(keepAlive: configuration.eventKeepAlive)
        self.bus = bus
        let metrics = self.metrics
        let scriptOwners = ScriptOwners(store: store)
        self.scriptOwners = scriptOwners
        let scripts = ScriptEngine(directory: configuration.scriptsDirectory, logger: logger,
                                   companyFolder: scriptOwners.folder(of:)) { problem in
            logger.error("script failed to load: \(problem)")
            metrics.increment(.init("crm_script_load_failures_total"))
            ScriptEvents.publishProblem(problem, store: store, bus: bus)
        }
        self.scripts = scripts
        let sessionsBox = SessionsBox()
        let pipeline = MessagePipeline(store: store, scripts: scripts, configuration: configuration.pipeline,
                                       connectors: { instance in
            guard let sessions = sessionsBox.sessions, await sessions.session(instance) != nil else { return nil }
            return SessionRoute(sessions: sessions)
        }, onCommitted: { changes in
            LiveEvents.publish(changes, store: store, bus: bus, metrics: metrics)
        }, logger: logger)
        self.pipeline = pipeline
        let credentials = StoredCredentials(store: store, vault: vault)
        let environment = SessionEnvironment(
            connectors: HostConnectors(simulator: network, credentials: credentials, graphURL: configuration.graphURL),
            credentials: credentials,
            sink: PipelineSink(pipeline: pipeline),
            stateChanged: { instance, state in
                await SessionStates.record(instance, state, store: store, pipeline: pipeline, scripts: scripts,
                                           bus: bus, logger: logger)
            })
        sessions = InstanceSessions(environment: environment)
        sessionsBox.sessions = sessions
        Metrics.describe(metrics)
    }

    /// Starts the pipeline, the script watcher, and reconnects every instance
    /// that was connected before the last stop.
    public func start() async throws {
        try pipeline.start()
        let instances = try store.allInstances()
        for instance in instances { scripts.instanceAppeared(instance.info) }
        do { try scripts.watch() } catch { logger.warning("scripts folder is not watched for changes: \(error)") }
        await sessions.resume(instances.map(\.definition))
    }

    /// Finishes the events in flight, then stops sessions, the pipeline and the watcher.
    /// Live event streams end first: nothing they would carry is coming.
    public func shutdown() async {
        bus.close()
        await pipeline.stop()
        await sessions.shutdown()
        scripts.stopWatching()
    }

    /// What the operator should know at start: where the key is, which bots loaded.
    public func startupReport() -> [String] {
        var lines = report
        let statuses = scripts.statuses()
        lines.append("scripts: \(configuration.scriptsDirectory.path) (\(statuses.count) bound)")
        for status in statuses {
            let state = status.lastError.map { "error: \($0)" } ?? "loaded \(status.version ?? "-")"
            lines.append("  \(status.path ?? "-") → \(status.instance.name): \(state)")
        }
        let unbound = scripts.unboundFolders()
        if !unbound.isEmpty {
            lines.append("  waiting for an instance named or numbered: \(unbound.joined(separator: ", "))")
        }
        if network != nil { lines.append("simulated WhatsApp network on /sim (--no-sim turns it off)") }
        return lines
    }

    /// `crm-host keys create`: a key for `company` (created when missing), shown once.
    public static func createKey(company: String, name: String, dataDirectory: URL) throws -> String {
        let store = try CRMStore(folder: dataDirectory)
        let record = try store.companies().first { $0.name == company } ?? store.createCompany(name: company)
        return try store.createAPIKey(company: record.id, name: name).plaintext
    }
}

/// The sessions registry, set once right after the pipeline that needs it is built.
final class SessionsBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value: InstanceSessions?
    var sessions: InstanceSessions? {
        get { lock.withLock { value } }
        set { lock.withLock { value = newValue } }
    }
}

/// Sends through whichever session owns the message's instance.
struct SessionRoute: Connector {
    let sessions: InstanceSessions
    func start(sink: ConnectorSink) async throws {}
    func stop() async {}
    func logout() async {}
    func send(_ message: OutgoingMessage) async throws(SendFailure) -> String {
        try await sessions.send(message)
    }
}

/// Connector events straight into the pipeline: acknowledged after commit.
struct PipelineSink: ConnectorSink {
    let pipeline: MessagePipeline
    func connectionChanged(_ instance: InstanceID, _ event: ConnectionEvent) async {}
    func inbound(_ message: InboundMessage) async throws { try await pipeline.inbound(message) }
    func receipt(_ instance: InstanceID, providerMessageID: String, status: DeliveryStatus, reason: String?) async {
        pipeline.receipt(instance, providerMessageID: providerMessageID, status: status, reason: reason)
    }
}

extension InstanceRecord {
    /// What a session needs to rebuild this instance's connection.
    var definition: InstanceDefinition {
        InstanceDefinition(id: id, connector: connector, config: config, status: status, phoneNumber: phoneNumber)
    }
}
