import CRMCore
import Foundation

/// A `sim` instance's connector: its link to the host's `SimNetwork`.
public struct SimConnector: Connector {
    public let instanceID: InstanceID
    private let network: SimNetwork
    private let credentials: SimCredentials?
    private let saveCredentials: @Sendable (Data) async throws -> Void

    /// - Parameters:
    ///   - credentials: The session from an earlier pairing; nil pairs anew with a QR code.
    ///   - saveCredentials: Keeps the session a phone's scan creates; called before `CONNECTED` is reported.
    public init(instanceID: InstanceID, network: SimNetwork, credentials: SimCredentials?,
                saveCredentials: @escaping @Sendable (Data) async throws -> Void) {
        self.instanceID = instanceID
        self.network = network
        self.credentials = credentials
        self.saveCredentials = saveCredentials
    }

    public func start(sink: any ConnectorSink) async throws {
        let save = saveCredentials
        try await network.link(instanceID, credentials: credentials, sink: sink) { try await save($0.encoded()) }
    }

    public func stop() async {
        await network.unlink(instanceID)
    }

    public func logout() async {
        try? await network.unpair(instanceID)
    }

    /// Sends from this instance's number only: a message of another instance is refused.
    public func send(_ message: OutgoingMessage) async throws(SendFailure) -> String {
        guard message.instanceID == instanceID else {
            throw SendFailure(reason: "a message of instance \(message.instanceID) cannot leave through instance \(instanceID)",
                              retryable: false)
        }
        return try await network.send(message, from: instanceID)
    }
}
