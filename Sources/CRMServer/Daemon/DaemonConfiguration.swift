import CRMSessions
import CRMStore
import Foundation

/// What `crm-host serve` was asked to run (SPEC §11).
public struct DaemonConfiguration: Sendable {
    /// Where the SQLite file, the master key, credentials and `admin.key` live.
    public var dataDirectory: URL
    /// `--master-key`: the master key's file, when it is kept outside the data folder.
    public var masterKeyFile: URL?
    /// The per-instance bot folders.
    public var scriptsDirectory: URL
    /// The built-in simulated WhatsApp network (`--no-sim` turns it off).
    public var simulatedNetwork: Bool
    /// `CRM_BOOTSTRAP_KEY`: the first key, instead of a random one.
    public var bootstrapKey: String?
    /// `--durability` / `CRM_DURABILITY`: commits synced to stable storage
    /// before they are acknowledged, unless `relaxed` is chosen.
    public var durability: StoreDurability = .full
    /// The pipeline's limits (its queue's bound, batch size, send pacing).
    public var pipeline = PipelineConfiguration()
    /// `--graph-url` / `CRM_GRAPH_URL`: where `cloud` instances reach the
    /// Graph API (Meta's by default; tests and proxies set it). Never an
    /// instance's own setting.
    public var graphURL = CloudConfiguration.defaultGraphURL
    /// How often an idle `/api/events` stream gets a comment line: a client
    /// that left is noticed by the failed write, not by the next event.
    public var eventKeepAlive: Duration = .seconds(15)

    public init(dataDirectory: URL, scriptsDirectory: URL, simulatedNetwork: Bool = true, bootstrapKey: String? = nil) {
        self.dataDirectory = dataDirectory
        self.scriptsDirectory = scriptsDirectory
        self.simulatedNetwork = simulatedNetwork
        self.bootstrapKey = bootstrapKey
    }
}
