import Foundation

/// How an instance talks to WhatsApp (SPEC §4): the simulated network, the Cloud
/// API, a gateway. The core depends on this protocol, never on which one.
public protocol Connector: Sendable {
    /// Opens the session. Pairing, status changes, inbound messages and receipts
    /// arrive through `sink`; returns once the attempt has started.
    func start(sink: ConnectorSink) async throws
    /// Closes the connection, keeping the credentials.
    func stop() async
    /// Ends the session for good: the credentials are no longer valid.
    func logout() async
    /// Hands one message to WhatsApp and returns the provider's message id.
    /// Sending twice with the same `idempotencyKey` shows the recipient one message.
    func send(_ message: OutgoingMessage) async throws(SendFailure) -> String
}

/// Where a connector reports what happens on its session.
public protocol ConnectorSink: Sendable {
    func connectionChanged(_ instance: InstanceID, _ event: ConnectionEvent) async
    /// Returns once the message is committed (with its scripts' effects): only
    /// then may the connector acknowledge it to its source.
    func inbound(_ message: InboundMessage) async throws
    /// A receipt for a message we sent, by the provider's message id.
    func receipt(_ instance: InstanceID, providerMessageID: String, status: DeliveryStatus, reason: String?) async
}

/// One send, as the outbox hands it to the owning instance's connector.
public struct OutgoingMessage: Sendable, Equatable {
    public var instanceID: InstanceID
    /// The outbox row's key: retries of the same send carry the same key.
    public var idempotencyKey: String
    /// The contact's phone digits, else its user id; or the group id.
    public var to: String
    public var isGroup: Bool
    public var content: OutgoingContent
    /// True when `to` is a business-scoped user id rather than phone digits.
    public var toUserID: Bool
    /// When the contact last wrote: the Cloud API refuses free text after 24 hours.
    public var lastInboundAt: Date?

    public init(instanceID: InstanceID, idempotencyKey: String, to: String, isGroup: Bool, content: OutgoingContent,
                toUserID: Bool = false, lastInboundAt: Date? = nil) {
        self.instanceID = instanceID; self.idempotencyKey = idempotencyKey; self.to = to
        self.isGroup = isGroup; self.content = content; self.toUserID = toUserID; self.lastInboundAt = lastInboundAt
    }
}

/// Why a send did not go out, and whether trying again can help.
public struct SendFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: String
    /// Worth retrying later (network, 5xx, rate limits); false for a bad token or recipient.
    public var retryable: Bool
    public init(reason: String, retryable: Bool) { self.reason = reason; self.retryable = retryable }
    public var description: String { reason }
}
