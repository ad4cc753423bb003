import CRMCore
import Foundation

/// Everything needed to build one instance's connector for one connection attempt.
public struct ConnectorSetup: Sendable {
    public var instanceID: InstanceID
    /// `sim`, `cloud`, …: the instance's `connector` column.
    public var kind: String
    public var config: [String: JSONValue]
    /// The instance's stored session, decrypted; nil when it has none.
    public var credentials: Data?
    /// Keeps a new session (e.g. after a QR scan), sealed, before the instance reports `CONNECTED`.
    public var saveCredentials: @Sendable (Data) async throws -> Void

    public init(instanceID: InstanceID, kind: String, config: [String: JSONValue], credentials: Data?,
                saveCredentials: @escaping @Sendable (Data) async throws -> Void) {
        self.instanceID = instanceID; self.kind = kind; self.config = config
        self.credentials = credentials; self.saveCredentials = saveCredentials
    }
}

/// Builds connectors by kind, so sessions never know which one they drive.
public protocol ConnectorFactory: Sendable {
    func makeConnector(_ setup: ConnectorSetup) throws -> any Connector
}

/// The connectors this host knows: `sim` over the host's simulated network (when
/// it is on) and `cloud` over the WhatsApp Cloud API.
public struct StandardConnectors: ConnectorFactory {
    public let simulator: SimNetwork?

    /// The host's Graph API address, for `cloud` instances.
    public let graphURL: String

    public init(simulator: SimNetwork?, graphURL: String = CloudConfiguration.defaultGraphURL) {
        self.simulator = simulator
        self.graphURL = graphURL
    }

    public func makeConnector(_ setup: ConnectorSetup) throws -> any Connector {
        switch setup.kind {
        case "sim":
            guard let simulator else { throw ConnectorSetupError.simulatorOff(instance: setup.instanceID) }
            return SimConnector(instanceID: setup.instanceID, network: simulator,
                                credentials: setup.credentials.flatMap(SimCredentials.init(decoding:)),
                                saveCredentials: setup.saveCredentials)
        case "cloud":
            return CloudConnector(instanceID: setup.instanceID,
                                  configuration: try CloudConfiguration(stored: setup.config, graphURL: graphURL))
        default:
            throw ConnectorSetupError.unknownKind(setup.kind, instance: setup.instanceID)
        }
    }
}

/// Why an instance's connector could not be built: its settings need fixing.
public enum ConnectorSetupError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownKind(String, instance: InstanceID)
    case simulatorOff(instance: InstanceID)

    public var description: String {
        switch self {
        case .unknownKind(let kind, let instance):
            return "instance \(instance) asks for connector \"\(kind)\", which this host does not know (sim, cloud)"
        case .simulatorOff(let instance):
            return "instance \(instance) uses the simulated network, which is off (--no-sim)"
        }
    }
}
