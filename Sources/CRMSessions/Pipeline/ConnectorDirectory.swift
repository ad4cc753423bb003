import CRMCore

/// Where the outbox finds the connector of the instance that owns a send.
/// The session layer implements it; nil means the instance has no open session
/// now, and the send is retried later.
public protocol ConnectorDirectory: Sendable {
    func connector(for instance: InstanceID) async -> (any Connector)?
}
