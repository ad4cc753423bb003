import CRMCore
import CRMSessions
import Foundation

/// The connectors of this host. A `cloud` instance's token and app secret are
/// credentials, stored sealed apart from its plain config; they meet here.
struct HostConnectors: ConnectorFactory {
    let simulator: SimNetwork?
    let credentials: any CredentialStore
    /// The Graph API's address: the host's setting, never an instance's.
    let graphURL: String

    /// Config fields of a cloud instance that are secrets.
    static let cloudSecrets: Set<String> = ["access_token", "app_secret"]

    func makeConnector(_ setup: ConnectorSetup) throws -> any Connector {
        guard setup.kind == "cloud" else { return try StandardConnectors(simulator: simulator, graphURL: graphURL).makeConnector(setup) }
        return CloudConnector(instanceID: setup.instanceID, configuration: try cloudConfiguration(setup.instanceID, config: setup.config))
    }

    /// The full configuration of a cloud instance: plain config plus its sealed secrets.
    func cloudConfiguration(_ instance: InstanceID, config: [String: JSONValue]) throws -> CloudConfiguration {
        var merged = config
        if let sealed = try credentials.load(for: instance),
           case .object(let secrets)? = try? JSONReader.parse(sealed) {
            merged.merge(secrets) { _, secret in secret }
        }
        return try CloudConfiguration(stored: merged, graphURL: graphURL)
    }

    /// Splits a cloud instance's `config` into what is stored plainly and the secrets.
    static func split(_ config: [String: JSONValue]) -> (plain: [String: JSONValue], secrets: Data) {
        let plain = config.filter { !cloudSecrets.contains($0.key) }
        let secrets = config.filter { cloudSecrets.contains($0.key) }
        return (plain, (try? JSONEncoder().encode(JSONValue.object(secrets))) ?? Data())
    }
}
