import CRMCore
import Foundation
import Synchronization

/// Notes when each benchmark message was handed in and when its reply reached
/// the connector. Every index is written by one task before its message is
/// handed in, and read after the reply comes back, so plain memory suffices.
final class DeliveryRecorder: @unchecked Sendable {
    private let handedIn: UnsafeMutableBufferPointer<UInt64>
    private let latencies: UnsafeMutableBufferPointer<UInt64>
    private let deliveredCount = Atomic<Int>(0)

    init(messages: Int) {
        handedIn = .allocate(capacity: messages)
        handedIn.initialize(repeating: 0)
        latencies = .allocate(capacity: messages)
        latencies.initialize(repeating: 0)
    }

    deinit {
        handedIn.deallocate()
        latencies.deallocate()
    }

    var delivered: Int { deliveredCount.load(ordering: .acquiring) }

    func handIn(_ index: Int) { handedIn[index] = DispatchTime.now().uptimeNanoseconds }

    /// A reply text is `re:<index>`.
    func replied(_ text: String?) {
        guard let text, text.hasPrefix("re:"), let index = Int(text.dropFirst(3)), index < latencies.count else { return }
        latencies[index] = DispatchTime.now().uptimeNanoseconds - handedIn[index]
        deliveredCount.add(1, ordering: .releasing)
    }

    /// Latency percentiles in milliseconds.
    func percentiles(_ points: [Double]) -> [Double] {
        let sorted = latencies.sorted()
        return points.map { point in
            Double(sorted[min(sorted.count - 1, Int(Double(sorted.count) * point))]) / 1e6
        }
    }
}

/// A connector that hands nothing anywhere: it records the reply and confirms.
struct RecordingBenchConnector: Connector {
    let recorder: DeliveryRecorder

    func start(sink: ConnectorSink) async throws {}
    func stop() async {}
    func logout() async {}
    func send(_ message: OutgoingMessage) async throws(SendFailure) -> String {
        recorder.replied(message.content.text)
        return "bench-\(message.idempotencyKey)"
    }
}

/// A conversation of the benchmark, as the floor addresses it.
struct BenchConversation: Sendable {
    var instance: InstanceID
    var conversation: ConversationID
    var phone: String
}
