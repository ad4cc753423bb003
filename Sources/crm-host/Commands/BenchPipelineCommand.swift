import ArgumentParser
import CRMCore
import CRMScripting
import CRMSessions
import CRMStore
import Foundation

/// `crm-host bench pipeline`: inbound → stored → Lua reply → connector, on a
/// temporary data folder, beside the floor of the same rows written by a plain
/// sqlite3 loop in the same run.
struct BenchPipelineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipeline",
        abstract: "Measures the message pipeline against a plain sqlite3 floor."
    )

    @Option(help: "Instances (numbers) sharing the host.")
    var instances = 100

    @Option(help: "Inbound messages per run, each answered by the instance's Lua bot.")
    var messages = 200_000

    @Option(help: "Contacts writing at once to each instance; each waits for its previous message to commit.")
    var contacts = 20

    @Option(help: "Runs; the table ends with their medians.")
    var runs = 3

    @Option(help: "Messages per transaction of the sqlite3 floor.")
    var floorBatch = 1000

    func run() async throws {
        print("instances=\(instances) messages=\(messages) contacts/instance=\(contacts) cores=\(ProcessInfo.processInfo.activeProcessorCount)")
        print("run  pipeline msg/s  p50 ms  p99 ms  floor msg/s  ratio")
        var results: [(rate: Double, p50: Double, p99: Double, floor: Double)] = []
        for run in 1...runs {
            let (rate, p50, p99) = try await measurePipeline()
            let floor = try measureFloor()
            results.append((rate, p50, p99, floor))
            print(row("\(run)", rate, p50, p99, floor))
        }
        func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
        print(row("med", median(results.map(\.rate)), median(results.map(\.p50)), median(results.map(\.p99)),
                  median(results.map(\.floor))))
    }

    private func row(_ label: String, _ rate: Double, _ p50: Double, _ p99: Double, _ floor: Double) -> String {
        label.padding(toLength: 5, withPad: " ", startingAt: 0)
            + String(format: "%14.0f  %6.1f  %6.1f  %11.0f  %5.2f", rate, p50, p99, floor, rate / floor)
    }

    private func measurePipeline() async throws -> (rate: Double, p50: Double, p99: Double) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("crm-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try CRMStore(folder: folder.appendingPathComponent("data"))
        let bots = folder.appendingPathComponent("scripts")
        let instances = try createInstances(in: store)
        for instance in instances {
            let bot = bots.appendingPathComponent(instance.phoneNumber!)
            try FileManager.default.createDirectory(at: bot, withIntermediateDirectories: true)
            try #"on("message", function(msg) msg:reply("re:" .. msg.text) end)"#
                .write(to: bot.appendingPathComponent("main.lua"), atomically: true, encoding: .utf8)
        }
        let engine = ScriptEngine(directory: bots)
        instances.forEach { engine.instanceAppeared($0.info) }
        let recorder = DeliveryRecorder(messages: messages)
        let connectors = Dictionary(uniqueKeysWithValues: instances.map { ($0.id, RecordingBenchConnector(recorder: recorder)) })
        var configuration = PipelineConfiguration()
        configuration.sendsPerSecond = nil
        let pipeline = MessagePipeline(store: store, scripts: engine, configuration: configuration,
                                       connectors: { connectors[$0] })
        try pipeline.start()
        let started = ContinuousClock.now
        let (messages, contacts, count) = (self.messages, self.contacts, instances.count)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (number, instance) in instances.enumerated() {
                for contact in 0..<contacts {
                    group.addTask {
                        var index = number + count * contact
                        while index < messages {
                            recorder.handIn(index)
                            try await pipeline.inbound(InboundMessage(
                                instanceID: instance.id, whatsappID: "b\(index)",
                                contact: ContactIdentity(phone: "5521\(number)0\(contact)"), text: "\(index)"))
                            index += count * contacts
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        while recorder.delivered < messages { try await Task.sleep(for: .milliseconds(2)) }
        let elapsed = ContinuousClock.now - started
        await pipeline.stop()
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let percentiles = recorder.percentiles([0.5, 0.99])
        return (Double(messages) / seconds, percentiles[0], percentiles[1])
    }

    private func measureFloor() throws -> Double {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("crm-floor-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (path, conversations) = try {
            let store = try CRMStore(folder: folder)
            var conversations: [BenchConversation] = []
            for (number, instance) in try createInstances(in: store).enumerated() {
                for contact in 0..<contacts {
                    let phone = "5521\(number)0\(contact)"
                    let result = try store.transactionNow { try $0.ingest(InboundMessage(
                        instanceID: instance.id, whatsappID: "seed-\(phone)", contact: ContactIdentity(phone: phone), text: "seed")) }
                    guard case .stored(let message, _) = result else { continue }
                    conversations.append(BenchConversation(instance: instance.id, conversation: message.conversationID, phone: phone))
                }
            }
            return (store.path, conversations)
        }()
        return try SQLiteFloor.run(path: path, conversations: conversations, messages: messages, batch: floorBatch)
    }

    private func createInstances(in store: CRMStore) throws -> [InstanceRecord] {
        let company = try store.createCompany(name: "bench")
        return try (0..<instances).map { number in
            let instance = try store.createInstance(company: company.id, name: "bench-\(number)")
            try store.claimPhone(String(format: "551190%07d", number), for: instance.id)
            return try store.instance(instance.id)
        }
    }
}
