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

    @Option(help: """
        The floor's rows per reply: 'outbox' (a duplicate check, then an outbox row inserted and deleted) or \
        'message' (the rows the pipeline writes: the inbound insert checks for duplicates, the reply's row keeps \
        its content until sent).
        """)
    var floorRows = SQLiteFloor.Rows.outbox

    @Option(help: """
        The floor's SQLite file system: 'plain' (SQLite's own, the default) or 'log-writer' (the store's, \
        which writes each commit's log in one call).
        """)
    var floorFileSystem = SQLiteFloor.FileSystem.plain

    @Option(help: """
        Hand messages in at this steady rate (per second) instead, none waiting for another: latency below \
        saturation. Without it, contacts wait for their commits and the latency is that of the saturated pipeline.
        """)
    var rate: Double?

    @Option(help: """
        Hand messages in steadily, as --rate does, at this fraction of the floor measured first in the same run: \
        0.5 gives the latency at half the floor, the pipeline's goal.
        """)
    var rateOfFloor: Double?

    @Option(help: """
        When a commit counts as done, for the pipeline and the floor alike: 'full' (the log synced to stable \
        storage at every commit, as `serve` does by default) or 'relaxed' (synced at checkpoints only).
        """)
    var durability = StoreDurability.full

    func validate() throws {
        guard rate == nil || rateOfFloor == nil else { throw ValidationError("give --rate or --rate-of-floor, not both") }
        if let rateOfFloor, !(rateOfFloor > 0 && rateOfFloor <= 1) {
            throw ValidationError("--rate-of-floor must be above 0 and at most 1, e.g. 0.5")
        }
    }

    func run() async throws {
        print("instances=\(instances) messages=\(messages) contacts/instance=\(contacts) floor=\(floorRows.rawValue)/\(floorFileSystem.rawValue) durability=\(durability.rawValue) cores=\(ProcessInfo.processInfo.activeProcessorCount)")
        print("run  pipeline msg/s  p50 ms  p99 ms  floor msg/s  ratio  writer µs/msg  msg/batch")
        var results: [(run: PipelineRun, floor: Double)] = []
        for run in 1...runs {
            // The floor goes first only when it sets the pace; otherwise the
            // order stays that of earlier rounds' tables: pipeline, then floor.
            var pace = self.rate
            var floorFirst: Double?
            if let rateOfFloor {
                let floor = try measureFloor()
                floorFirst = floor
                pace = floor * rateOfFloor
            }
            let measured = try await measurePipeline(pacedAt: pace)
            let floor = try floorFirst ?? measureFloor()
            results.append((measured, floor))
            print(row("\(run)", measured, floor))
        }
        func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
        let medians = PipelineRun(rate: median(results.map(\.run.rate)), p50: median(results.map(\.run.p50)),
                                  p99: median(results.map(\.run.p99)),
                                  writerMicroseconds: median(results.map(\.run.writerMicroseconds)),
                                  messagesPerBatch: median(results.map(\.run.messagesPerBatch)))
        print(row("med", medians, median(results.map(\.floor))))
    }

    /// What one run of the pipeline measured.
    private struct PipelineRun {
        var rate: Double
        var p50: Double
        var p99: Double
        /// The writer thread's CPU time per message, in microseconds.
        var writerMicroseconds: Double
        /// Messages per batch the writer committed (each message is two
        /// events in the writer: its inbound and its reply's send outcome).
        var messagesPerBatch: Double
    }

    private func row(_ label: String, _ run: PipelineRun, _ floor: Double) -> String {
        label.padding(toLength: 5, withPad: " ", startingAt: 0)
            + String(format: "%14.0f  %6.1f  %6.1f  %11.0f  %5.2f  %13.1f  %9.1f", run.rate, run.p50, run.p99, floor,
                     run.rate / floor, run.writerMicroseconds, run.messagesPerBatch)
    }

    /// - Parameter pace: messages per second handed in steadily; nil for the closed loop.
    private func measurePipeline(pacedAt pace: Double?) async throws -> PipelineRun {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("crm-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try CRMStore(folder: folder.appendingPathComponent("data"), durability: durability)
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
        let (writerBefore, batchesBefore) = (pipeline.writerCPUTime, pipeline.writerBatches)
        if let pace {
            try await handInSteadily(at: pace, to: pipeline, instances: instances, recorder: recorder)
        } else {
            try await handInAsCommitted(to: pipeline, instances: instances, recorder: recorder)
        }
        while recorder.delivered < messages { try await Task.sleep(for: .milliseconds(2)) }
        let elapsed = ContinuousClock.now - started
        let (writer, batches) = (pipeline.writerCPUTime - writerBefore, pipeline.writerBatches - batchesBefore)
        await pipeline.stop()
        let percentiles = recorder.percentiles([0.5, 0.99])
        return PipelineRun(rate: Double(messages) / elapsed.seconds, p50: percentiles[0], p99: percentiles[1],
                           writerMicroseconds: writer.seconds * 1e6 / Double(messages),
                           messagesPerBatch: Double(messages) / Double(max(batches, 1)))
    }

    /// Message `index` goes to instance `index % instances`, from one of its
    /// `contacts` contacts in turn.
    private func inbound(_ index: Int, instances: [InstanceRecord]) -> InboundMessage {
        let number = index % instances.count
        let contact = index / instances.count % contacts
        return InboundMessage(instanceID: instances[number].id, whatsappID: "b\(index)",
                              contact: ContactIdentity(phone: "5521\(number)0\(contact)"), text: "\(index)")
    }

    /// The closed loop: every contact hands in its next message once the
    /// previous one has committed. The contacts start instance by instance,
    /// and the queue keeps that order from then on.
    private func handInAsCommitted(to pipeline: MessagePipeline, instances: [InstanceRecord],
                                   recorder: DeliveryRecorder) async throws {
        let stride = instances.count * contacts
        try await withThrowingTaskGroup(of: Void.self) { group in
            for number in instances.indices {
                for contact in 0..<contacts {
                    group.addTask {
                        for index in Swift.stride(from: number + instances.count * contact, to: messages, by: stride) {
                            recorder.handIn(index)
                            try await pipeline.inbound(inbound(index, instances: instances))
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    /// The open loop: messages are handed in on a fixed schedule, each as its
    /// own task, whatever the pipeline's pace; one after another they go to
    /// each instance in turn, as independent numbers' traffic would.
    private func handInSteadily(at rate: Double, to pipeline: MessagePipeline, instances: [InstanceRecord],
                                recorder: DeliveryRecorder) async throws {
        let started = ContinuousClock.now
        try await withThrowingDiscardingTaskGroup { group in
            var next = 0
            while next < messages {
                let due = min(messages, Int((ContinuousClock.now - started).seconds * rate) + 1)
                while next < due {
                    let index = next
                    recorder.handIn(index)
                    group.addTask { try await pipeline.inbound(inbound(index, instances: instances)) }
                    next += 1
                }
                try await Task.sleep(for: .milliseconds(1))
            }
        }
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
        return try SQLiteFloor.run(path: path, conversations: conversations, messages: messages, batch: floorBatch,
                                   rows: floorRows, fileSystem: floorFileSystem, durability: durability)
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

extension SQLiteFloor.Rows: ExpressibleByArgument {}
extension SQLiteFloor.FileSystem: ExpressibleByArgument {}
extension StoreDurability: ExpressibleByArgument {}
