import CRMCore
import CRMSessions
import Foundation

/// The company an API key belongs to: every query of the request is scoped to it.
public struct Tenant: Sendable, Equatable {
    public var companyID: Int64
    public var companyName: String
    public init(companyID: Int64, companyName: String) { self.companyID = companyID; self.companyName = companyName }
}

/// What `POST /api/instances` asks for.
public struct NewInstance: Sendable, Equatable {
    public var name: String
    public var connector: String
    public var config: [String: JSONValue]
    public init(name: String, connector: String, config: [String: JSONValue]) {
        self.name = name; self.connector = connector; self.config = config
    }
}

/// Everything the HTTP API does, behind one boundary: the routes parse and
/// answer; this decides. Every call carries the tenant, and anything of another
/// company answers `APIError.notFound`, exactly as if it did not exist.
public protocol InboxService: Sendable {
    /// The tenant of a bearer key, or nil when the key is unknown or revoked.
    func tenant(forKey key: String) async -> Tenant?

    func createInstance(_ request: NewInstance, for tenant: Tenant) async throws -> InstanceJSON
    func instances(for tenant: Tenant) async throws -> [InstanceJSON]
    func instance(_ id: String, for tenant: Tenant) async throws -> InstanceJSON
    func renameInstance(_ id: String, to name: String, for tenant: Tenant) async throws -> InstanceJSON
    func deleteInstance(_ id: String, for tenant: Tenant) async throws
    func connect(_ id: String, for tenant: Tenant) async throws -> InstanceJSON
    func logout(_ id: String, for tenant: Tenant) async throws -> InstanceJSON
    func restart(_ id: String, for tenant: Tenant) async throws -> InstanceJSON
    /// The text an instance's current pairing QR encodes; 404 when there is none.
    func pairingCode(_ id: String, for tenant: Tenant) async throws -> String

    func conversations(_ query: ConversationQuery, for tenant: Tenant) async throws -> PageJSON<ConversationJSON>
    func messages(in conversation: Int64, cursor: String?, limit: Int, for tenant: Tenant) async throws -> PageJSON<MessageJSON>
    /// Sends through the instance that owns the conversation; the caller has no say.
    func send(_ content: OutgoingContent, to conversation: Int64, for tenant: Tenant) async throws -> MessageJSON

    func scripts(for tenant: Tenant) async throws -> [ScriptStatusJSON]
    func reloadScripts(for tenant: Tenant) async throws -> [ScriptStatusJSON]

    /// Live events of the tenant's instances, for `/api/events`.
    func events(for tenant: Tenant) async -> AsyncStream<ServerEvent>

    /// Prometheus text exposition of the host's metrics.
    func metrics() async -> String

    /// A `cloud` instance's settings, for its webhook; nil for any other instance.
    /// Not async: webhooks are checked on the connection's event loop, and
    /// the settings are cached, so this rarely reads the store.
    func cloudConfiguration(instanceID: String) -> CloudConfiguration?
    /// Commits what a verified webhook carried, then calls `completion` with
    /// nil, or with the refusal of a message in it. Not async, so that a
    /// webhook answered on an event loop goes to the pipeline and back
    /// without a task; `completion` may run on the pipeline's writer thread
    /// and must only hand the answer on.
    func cloudEvents(_ events: [CloudWebhookEvent], instanceID: String,
                     completion: @escaping @Sendable (APIError?) -> Void)

    /// The simulated network (SPEC §12), when it is on; nil turns `/sim` off.
    var simulator: (any SimulatorService)? { get }
}

/// The outside world of the simulated network: phones that scan and contacts that write.
public protocol SimulatorService: Sendable {
    /// Pairs `phone` with the instance showing `qr`; returns its id.
    func scan(qr: String, phone: String) async throws -> String
    /// A contact writes to a connected number; returns the message id once committed.
    func contactWrites(to: String, from: String, name: String?, text: String, id: String?,
                       group: GroupRef?) async throws -> String
    /// What instances sent to `phone`, oldest first.
    func delivered(to phone: String) async -> [SimDeliveryJSON]
}

/// One live update for the inbox: a `type` and the object it is about.
public struct ServerEvent: Sendable, Equatable {
    public var type: String
    /// The company it belongs to: subscribers only see their own.
    public var companyID: Int64
    /// The object, already encoded as JSON.
    public var json: String
    public init(type: String, companyID: Int64, json: String) {
        self.type = type; self.companyID = companyID; self.json = json
    }
}
