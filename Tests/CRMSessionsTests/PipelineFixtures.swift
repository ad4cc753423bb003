import CRMCore
import CRMStore
import Foundation
import Synchronization
@testable import CRMSessions

/// A connector that records what it was handed and, like WhatsApp, shows the
/// recipient one message per idempotency key.
final class RecordingConnector: Connector, Sendable {
    struct Delivery: Equatable { var key: String; var to: String; var text: String? }
    private struct State {
        var handOvers: [String] = []
        var delivered: [Delivery] = []
        var failures: [SendFailure] = []
    }
    private let state = Mutex(State())
    let instanceID: InstanceID

    init(instanceID: InstanceID) { self.instanceID = instanceID }

    /// The next sends fail with these, in order.
    func failNext(_ failures: [SendFailure]) { state.withLock { $0.failures = failures } }

    var handOvers: [String] { state.withLock { $0.handOvers } }
    /// What recipients saw: one entry per idempotency key.
    var delivered: [Delivery] { state.withLock { $0.delivered } }

    func start(sink: ConnectorSink) async throws {}
    func stop() async {}
    func logout() async {}

    func send(_ message: OutgoingMessage) async throws(SendFailure) -> String {
        let failure = state.withLock { state -> SendFailure? in
            state.handOvers.append(message.idempotencyKey)
            if !state.failures.isEmpty { return state.failures.removeFirst() }
            if !state.delivered.contains(where: { $0.key == message.idempotencyKey }) {
                state.delivered.append(Delivery(key: message.idempotencyKey, to: message.to, text: message.content.text))
            }
            return nil
        }
        if let failure { throw failure }
        return "p-\(instanceID.prefix(8))-\(message.idempotencyKey)"
    }
}

/// A small bot written in Swift: replies `re: <text>`, counts messages in kv,
/// fails on `boom`, sets a timer on `later`, and remembers what it saw.
final class ReplyingScripts: ScriptHost, Sendable {
    private let seen = Mutex<[ScriptEvent]>([])
    /// A conversation to aim a reply at instead of the event's own.
    let hijack = Mutex<ConversationID?>(nil)

    var events: [ScriptEvent] { seen.withLock { $0 } }

    func handle(_ event: ScriptEvent, context: ScriptContext) -> ScriptOutcome {
        seen.withLock { $0.append(event) }
        switch event {
        case .message(let message):
            if message.text == "boom" {
                return ScriptOutcome(failure: ScriptFailure(kind: "runtime", message: "boom", file: "main.lua", line: 7))
            }
            var count: Int64 = 0
            if case .integer(let stored)? = context.kv("count") { count = stored }
            var actions: [ScriptAction] = [.kvSet(key: "count", value: .integer(count + 1))]
            let target = hijack.withLock { $0 } ?? message.conversation
            actions.append(.send(conversation: target, content: OutgoingContent(text: "re: \(message.text)")))
            if message.text == "later" {
                actions.append(.timer(name: "followup", payload: .object(["conversation": .integer(message.conversation)]),
                                      dueAt: context.now.addingTimeInterval(0.2)))
            }
            return ScriptOutcome(actions: actions)
        case .timer(let timer):
            guard case .integer(let conversation)? = timer.payload["conversation"] else { return .none }
            return ScriptOutcome(actions: [.send(conversation: conversation, content: OutgoingContent(text: "timer \(timer.name)"))])
        case .status, .connection:
            return .none
        }
    }
}

/// A value shared with the pipeline's closures.
final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    init(_ value: Value) { mutex = Mutex(value) }
    func withLock<T>(_ body: (inout Value) -> T) -> T { mutex.withLock { body(&$0) } }
}

/// A store, a pipeline and connectors for a test, in a temporary folder.
final class PipelineHarness {
    let folder: URL
    private(set) var store: CRMStore
    private(set) var pipeline: MessagePipeline
    let scripts: any ScriptHost
    let configuration: PipelineConfiguration
    let connectors = Locked<[InstanceID: RecordingConnector]>([:])
    let changes = Locked<[PipelineChange]>([])

    init(scripts: any ScriptHost = ReplyingScripts(), configuration: PipelineConfiguration = PipelineHarness.fast,
         folder: URL? = nil) throws {
        self.folder = folder ?? FileManager.default.temporaryDirectory.appendingPathComponent("crm-pipeline-\(UUID().uuidString)")
        self.scripts = scripts
        self.configuration = configuration
        store = try CRMStore(folder: self.folder)
        pipeline = MessagePipeline(store: store, scripts: scripts, configuration: configuration, connectors: { _ in nil })
        try restart()
    }

    static var fast: PipelineConfiguration {
        var configuration = PipelineConfiguration()
        configuration.retryDelay = .milliseconds(10)
        configuration.maxRetryDelay = .milliseconds(20)
        configuration.pollInterval = .milliseconds(20)
        configuration.sendsPerSecond = nil
        return configuration
    }

    /// Abandons the running pipeline (as a crash would: unacknowledged work is
    /// dropped) and starts a fresh one on a freshly opened database.
    func restart() throws {
        let old = pipeline
        let stopped = DispatchSemaphore(value: 0)
        Task { await old.stop(); stopped.signal() }
        stopped.wait()
        store = try CRMStore(folder: folder)
        let connectors = self.connectors
        let changes = self.changes
        pipeline = MessagePipeline(store: store, scripts: scripts, configuration: configuration,
                                   connectors: { id in connectors.withLock { $0[id] } },
                                   onCommitted: { new in changes.withLock { $0 += new } })
        try pipeline.start()
    }

    func stop() async { await pipeline.stop() }

    /// A connected instance with a recording connector.
    func instance(company: Int64? = nil, phone: String) throws -> (InstanceRecord, RecordingConnector) {
        let owner = try company ?? store.createCompany(name: "Company \(phone)").id
        let created = try store.createInstance(company: owner, name: phone)
        try store.claimPhone(phone, for: created.id)
        let connector = RecordingConnector(instanceID: created.id)
        connectors.withLock { $0[created.id] = connector }
        return (try store.instance(created.id), connector)
    }

    var statistics: StoreStatistics { get throws { try store.statistics() } }

    deinit { try? FileManager.default.removeItem(at: folder) }
}

func message(_ instance: InstanceRecord, _ id: String, from phone: String = "5511977770000",
             text: String = "oi") -> InboundMessage {
    InboundMessage(instanceID: instance.id, whatsappID: id, contact: ContactIdentity(phone: phone), text: text)
}

