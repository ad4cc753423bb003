import CRMCore

/// Trouble the simulated network can cause one instance, so tests can watch
/// retries, backoff and failure isolation.
public struct SimFaults: Sendable, Equatable {
    /// Connection attempts fail with `SimNetworkError.connectionRefused`.
    public var refuseConnections: Bool
    /// Sends fail with this failure instead of being delivered.
    public var refuseSends: SendFailure?
    /// Each send waits this long before it is delivered.
    public var sendDelay: Duration

    public init(refuseConnections: Bool = false, refuseSends: SendFailure? = nil, sendDelay: Duration = .zero) {
        self.refuseConnections = refuseConnections; self.refuseSends = refuseSends; self.sendDelay = sendDelay
    }

    public static let none = SimFaults()
}
