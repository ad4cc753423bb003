import CRMCore

/// What an instance's session looks like now: what the host stores in the
/// `instances` row and what scripts receive as a `connection` event.
public struct SessionState: Sendable, Equatable {
    public var status: InstanceStatus
    /// Set once paired; kept while reconnecting, cleared by logout.
    public var phoneNumber: String?
    /// With status `QR`: the text of the current pairing code.
    public var qrCode: String?
    /// Why the status changed, when it was not asked for (lost connection, refused, gave up).
    public var reason: String?

    public init(status: InstanceStatus, phoneNumber: String? = nil, qrCode: String? = nil, reason: String? = nil) {
        self.status = status; self.phoneNumber = phoneNumber; self.qrCode = qrCode; self.reason = reason
    }

    /// The script-facing event for this state.
    public var event: ConnectionEvent {
        ConnectionEvent(status: status, phoneNumber: phoneNumber, reason: reason, qrCode: qrCode)
    }
}

/// An instance as the host stored it: enough to build its session.
public struct InstanceDefinition: Sendable, Equatable {
    public var id: InstanceID
    /// `sim`, `cloud`, …
    public var connector: String
    public var config: [String: JSONValue]
    /// The status last stored: `CONNECTED` ones reconnect when the host starts.
    public var status: InstanceStatus
    public var phoneNumber: String?

    public init(id: InstanceID, connector: String, config: [String: JSONValue] = [:],
                status: InstanceStatus = .disconnected, phoneNumber: String? = nil) {
        self.id = id; self.connector = connector; self.config = config; self.status = status; self.phoneNumber = phoneNumber
    }
}

/// What every session of a host shares.
public struct SessionEnvironment: Sendable {
    public var connectors: any ConnectorFactory
    public var credentials: any CredentialStore
    /// The host's pipeline: inbound messages and receipts go straight there.
    public var sink: any ConnectorSink
    public var reconnect: ReconnectPolicy
    /// Called in order for every state change of an instance; the host stores it
    /// and hands `state.event` to the instance's scripts. The session waits for it.
    public var stateChanged: @Sendable (InstanceID, SessionState) async -> Void

    public init(connectors: any ConnectorFactory, credentials: any CredentialStore, sink: any ConnectorSink,
                reconnect: ReconnectPolicy = ReconnectPolicy(),
                stateChanged: @escaping @Sendable (InstanceID, SessionState) async -> Void) {
        self.connectors = connectors; self.credentials = credentials; self.sink = sink
        self.reconnect = reconnect; self.stateChanged = stateChanged
    }
}
