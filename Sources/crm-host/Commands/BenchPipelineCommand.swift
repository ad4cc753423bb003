import ArgumentParser
import CRMCore
import CRMSessions
import CRMStore
import Foundation
import Synchronization

/// `crm-host bench pipeline`: inbound → stored → scripted reply handed to the
/// connector, for many instances at once, beside the floor of the same rows
/// written by a plain sqlite3 loop in the same run.
struct BenchPipelineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipeline",
        abstract: "Measures the message pipeline: messages/s and latency, beside the raw SQLite floor."
    )

    @Option(help: "How many instances receive messages.")
    var instances = 100

    @Option(help: "How many inbound messages in total.")
    var messages = 200_000

    @Option(help: "Messages each instance has in flight at once (unacknowledged).")
    var window = 8

    @Option(help: "Most events committed in one transaction.")
    var batch = 1024

    func run() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("crm-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }

        let floor = try PipelineFloor(folder: folder.appendingPathComponent("floor"), instances: instances, messages: messages,
                                      batch: batch).run()
        let result = try await runPipeline(folder: folder.appendingPathComponent("pipeline"))

        print("pipeline: \(instances) instances, \(messages) inbound messages, window \(window) per instance, batch ≤ \(batch)")
        print("script host: Swift echo bot (one send per message)")
        print(String(format: "%-28@ %12@ %10@ %10@", "run" as NSString, "messages/s" as NSString, "p50 ms" as NSString, "p99 ms" as NSString))
        print(String(format: "%-28@ %12.0f %10.2f %10.2f", "pipeline (inbound→connector)" as NSString,
                     result.perSecond, result.p50 * 1000, result.p99 * 1000))
        print(String(format: "%-28@ %12.0f %10@ %10@", "floor (sqlite3 loop)" as NSString, floor, "-" as NSString, "-" as NSString))
        print(String(format: "ratio pipeline/floor: %.2f", result.perSecond / floor))
    }

    private func runPipeline(folder: URL) async throws -> (perSecond: Double, p50: Double, p99: Double) {
        let store = try Store(folder: folder)
        let company = try store.createCompany(name: "bench")
        var instanceIDs: [InstanceID] = []
        for index in 0..<instances {
            let instance = try store.createInstance(companyID: company.id, name: "bench-\(index)")
            _ = try store.claimPhoneNumber(instanceID: instance.id, phoneNumber: "55119\(String(format: "%08d", index))")
            instanceIDs.append(instance.id)
        }
        let clock = LatencyClock(count: messages)
        let connector = BenchConnector(clock: clock)
        var configuration = PipelineConfiguration()
        configuration.sendsPerSecond = nil
        configuration.maximumBatch = batch
        let pipeline = MessagePipeline(store: store, scripts: EchoHost(), connectors: BenchDirectory(connector: connector),
                                       configuration: configuration)
        pipeline.start()

        let start = ContinuousClock.now
        let perInstance = messages / instances
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (slot, instanceID) in instanceIDs.enumerated() {
                for lane in 0..<window {
                    group.addTask {
                        var sequence = lane
                        while sequence < perInstance {
                            let number = slot * perInstance + sequence
                            clock.started(number)
                            try await pipeline.inbound(InboundMessage(
                                instanceID: instanceID, whatsappID: "in-\(number)",
                                contact: ContactIdentity(phone: "55218\(String(format: "%08d", sequence % 50))"),
                                text: String(number)))
                            sequence += window
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        let total = perInstance * instances
        while clock.finishedCount < total { try await Task.sleep(for: .milliseconds(5)) }
        let elapsed = ContinuousClock.now - start
        await pipeline.shutdown()
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let latencies = clock.latencies().sorted()
        return (Double(total) / seconds, latencies[latencies.count / 2], latencies[latencies.count * 99 / 100])
    }
}

/// Replies to each message with its text, like the simplest bot.
private struct EchoHost: ScriptHost {
    func handle(_ event: ScriptEvent, context: ScriptContext) -> ScriptOutcome {
        guard case .message(let message) = event else { return .none }
        return ScriptOutcome(actions: [.send(conversation: message.conversation, content: OutgoingContent(text: "re: " + message.text))])
    }
}

/// When each inbound message was handed to the pipeline and its reply to the connector.
private final class LatencyClock: Sendable {
    private let starts: Mutex<[ContinuousClock.Instant?]>
    private let durations = Mutex([Double]())

    init(count: Int) {
        starts = Mutex(Array(repeating: nil, count: count))
        durations.withLock { $0.reserveCapacity(count) }
    }

    func started(_ number: Int) { starts.withLock { $0[number] = ContinuousClock.now } }

    func finished(_ number: Int) {
        let now = ContinuousClock.now
        guard let start = starts.withLock({ $0[number] }) else { return }
        let elapsed = now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        durations.withLock { $0.append(seconds) }
    }

    var finishedCount: Int { durations.withLock { $0.count } }
    func latencies() -> [Double] { durations.withLock { $0 } }
}

/// Accepts every send at once and notes when the reply arrived.
private struct BenchConnector: Connector {
    let clock: LatencyClock
    func start(sink: ConnectorSink) async throws {}
    func stop() async {}
    func logout() async {}
    func send(_ message: OutgoingMessage) async throws(SendFailure) -> String {
        if let text = message.content.text, let number = Int(text.dropFirst(4)) { clock.finished(number) }
        return "sent-" + message.idempotencyKey
    }
}

private struct BenchDirectory: ConnectorDirectory {
    let connector: BenchConnector
    func connector(for instance: InstanceID) async -> (any Connector)? { connector }
}
