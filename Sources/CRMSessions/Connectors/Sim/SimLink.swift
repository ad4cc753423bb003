import Foundation
import CRMCore

/// One instance's live link to the simulated network. Receipts go through a
/// queue of their own so they reach the instance in order without holding up
/// the network or other instances.
struct SimLink: Sendable {
    /// Tells this link from a later one of the same instance.
    let id = UUID()
    let sink: any ConnectorSink
    let paired: @Sendable (SimCredentials) async throws -> Void
    /// The connected number; nil while pairing.
    var phone: String?
    var pairingCode: String?
    var pairingExpiresAt: ContinuousClock.Instant?
    var refresher: Task<Void, Never>?
    private let receipts: AsyncStream<(String, DeliveryStatus, ContinuousClock.Instant)>.Continuation
    private let receiptDelay: Duration

    /// - Parameters:
    ///   - receiptDelay: How long after a send its receipts reach the instance, as on a real network.
    init(instance: InstanceID, sink: any ConnectorSink, paired: @escaping @Sendable (SimCredentials) async throws -> Void,
         phone: String?, receiptDelay: Duration) {
        self.sink = sink
        self.paired = paired
        self.phone = phone
        self.receiptDelay = receiptDelay
        let (stream, continuation) = AsyncStream.makeStream(of: (String, DeliveryStatus, ContinuousClock.Instant).self)
        receipts = continuation
        Task {
            for await (id, status, due) in stream {
                if due > .now { try? await Task.sleep(until: due) }
                await sink.receipt(instance, providerMessageID: id, status: status, reason: nil)
            }
        }
    }

    func receipt(_ providerMessageID: String, _ status: DeliveryStatus) {
        receipts.yield((providerMessageID, status, .now + receiptDelay))
    }

    /// Stops pairing; receipts already queued still reach the instance.
    func close() {
        refresher?.cancel()
        receipts.finish()
    }
}
