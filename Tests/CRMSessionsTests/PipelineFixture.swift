import CRMCore
import CRMStore
import Foundation
import Synchronization
import XCTest
@testable import CRMSessions

/// A script host written in Swift: what a bot would do, as plain actions.
final class SwiftScriptHost: ScriptHost {
    private let handler: @Sendable (ScriptEvent, ScriptContext) -> ScriptOutcome
    private let seen = Mutex([(InstanceID, ScriptEvent)]())

    init(_ handler: @escaping @Sendable (ScriptEvent, ScriptContext) -> ScriptOutcome) { self.handler = handler }

    func handle(_ event: ScriptEvent, context: ScriptContext) -> ScriptOutcome {
        seen.withLock { $0.append((context.instance.id, event)) }
        return handler(event, context)
    }

    func events(of instance: InstanceID) -> [ScriptEvent] {
        seen.withLock { $0.filter { $0.0 == instance }.map(\.1) }
    }

    /// Answers every message with “re: TEXT”.
    static func echo() -> SwiftScriptHost {
        SwiftScriptHost { event, _ in
            guard case .message(let message) = event else { return .none }
            return ScriptOutcome(actions: [.send(conversation: message.conversation, content: OutgoingContent(text: "re: \(message.text)"))])
        }
    }
}

/// The outside world of one instance: records what reached each recipient,
/// once per idempotency key, as WhatsApp would show it.
final class RecordingConnector: Connector {
    struct State {
        var delivered: [String: OutgoingMessage] = [:]
        var order: [String] = []
        var attempts = 0
        var failuresLeft = 0
        var failure = SendFailure(reason: "network unreachable", retryable: true)
        var gate: CheckedContinuation<Void, Never>?
        var closed = false
    }

    let state = Mutex(State())

    func start(sink: ConnectorSink) async throws {}
    func stop() async {}
    func logout() async {}

    func send(_ message: OutgoingMessage) async throws(SendFailure) -> String {
        let failure = state.withLock { state -> SendFailure? in
            state.attempts += 1
            if state.failuresLeft > 0 { state.failuresLeft -= 1; return state.failure }
            return nil
        }
        if let failure { throw failure }
        if state.withLock({ $0.closed }) {
            await withCheckedContinuation { continuation in state.withLock { $0.gate = continuation } }
        }
        state.withLock { state in
            if state.delivered[message.idempotencyKey] == nil {
                state.delivered[message.idempotencyKey] = message
                state.order.append(message.idempotencyKey)
            }
        }
        return "provider-\(message.idempotencyKey)"
    }

    /// What recipients saw, in order.
    var deliveries: [OutgoingMessage] { state.withLock { state in state.order.map { state.delivered[$0]! } } }
    var attempts: Int { state.withLock { $0.attempts } }

    func failNext(_ count: Int, with failure: SendFailure) {
        state.withLock { $0.failuresLeft = count; $0.failure = failure }
    }

    /// Holds every send until `open` is called: a stalled instance.
    func close() { state.withLock { $0.closed = true } }
    func open() {
        let gate = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.closed = false
            defer { state.gate = nil }
            return state.gate
        }
        gate?.resume()
    }
}

struct FixedDirectory: ConnectorDirectory {
    let connectors: [InstanceID: RecordingConnector]
    func connector(for instance: InstanceID) async -> (any Connector)? { connectors[instance] }
}

/// The brief's scenario: 5511999998888 (vendas) and 5511988887777 (suporte)
/// of one company, each with its connector, a pipeline over a temporary store.
final class PipelineFixture {
    let folder: URL
    let store: Store
    let company: CompanyRecord
    let vendas: InstanceRecord
    let suporte: InstanceRecord
    let vendasPhone = RecordingConnector()
    let suportePhone = RecordingConnector()
    var pipeline: MessagePipeline!

    init(host: SwiftScriptHost, configure: (inout PipelineConfiguration) -> Void = { _ in }) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("crm-pipeline-\(UUID().uuidString)")
        store = try Store(folder: folder)
        company = try store.createCompany(name: "acme")
        vendas = try store.claimPhoneNumber(instanceID: try store.createInstance(companyID: company.id, name: "vendas").id,
                                            phoneNumber: "5511999998888")
        suporte = try store.claimPhoneNumber(instanceID: try store.createInstance(companyID: company.id, name: "suporte").id,
                                             phoneNumber: "5511988887777")
        pipeline = makePipeline(store: store, host: host, configure: configure)
    }

    deinit { try? FileManager.default.removeItem(at: folder) }

    func makePipeline(store: Store, host: SwiftScriptHost, configure: (inout PipelineConfiguration) -> Void = { _ in }) -> MessagePipeline {
        var configuration = PipelineConfiguration()
        configuration.sendsPerSecond = nil
        configuration.scanInterval = 0.05
        configuration.firstRetryDelay = 0.02
        configure(&configuration)
        let pipeline = MessagePipeline(store: store, scripts: host,
                                       connectors: FixedDirectory(connectors: [vendas.id: vendasPhone, suporte.id: suportePhone]),
                                       configuration: configuration)
        pipeline.start()
        return pipeline
    }

    func message(to instance: InstanceRecord, id: String, from phone: String, name: String? = nil, text: String = "oi",
                 group: GroupRef? = nil) -> InboundMessage {
        InboundMessage(instanceID: instance.id, whatsappID: id, contact: ContactIdentity(phone: phone), contactName: name,
                       group: group, sender: group == nil ? nil : ContactIdentity(phone: phone), senderName: name, text: text)
    }

    func conversation(of instance: InstanceRecord, contact: String) throws -> ConversationRecord {
        try XCTUnwrap(try store.conversations(instanceID: instance.id).first { $0.contactID == contact })
    }

    func messages(of conversation: ConversationRecord) throws -> [MessageRecord] {
        try store.messages(conversationID: conversation.id, companyID: company.id)
    }
}

/// Waits for something the pipeline does in the background; fails after `seconds`.
func eventually(_ seconds: Double = 10, file: StaticString = #filePath, line: UInt = #line,
                _ condition: () throws -> Bool) async throws {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try condition() { return }
        try await Task.sleep(for: .milliseconds(10))
    }
    XCTFail("condition not met within \(seconds) s", file: file, line: line)
}
