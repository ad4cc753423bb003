import CRMCore

/// The sink a connector gets for one attempt: status to the session (tagged
/// with the attempt), messages and receipts straight to the host's pipeline.
struct SessionSink: ConnectorSink {
    let session: InstanceSession
    let generation: Int
    let downstream: any ConnectorSink

    func connectionChanged(_ instance: InstanceID, _ event: ConnectionEvent) async {
        await session.connectorChanged(event, generation: generation)
    }

    func inbound(_ message: InboundMessage) async throws {
        try await downstream.inbound(message)
    }

    func receipt(_ instance: InstanceID, providerMessageID: String, status: DeliveryStatus, reason: String?) async {
        await downstream.receipt(instance, providerMessageID: providerMessageID, status: status, reason: reason)
    }
}
