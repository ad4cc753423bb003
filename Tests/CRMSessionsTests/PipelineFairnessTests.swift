import CRMCore
import CRMStore
import Foundation
import Synchronization
import XCTest
@testable import CRMSessions

/// SPEC §2.5: a slow or stuck number delays no other beyond its fair share.
final class PipelineFairnessTests: XCTestCase {
    func test_aStuckConnectorWithABacklogDoesNotHoldBackAnotherInstancesReplies() async throws {
        var configuration = PipelineHarness.fast
        configuration.maxSendsInFlight = 16
        configuration.maxSendsInFlightPerInstance = 4
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("crm-fairness-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try CRMStore(folder: folder)
        let company = try store.createCompany(name: "Acme").id
        let stuck = try store.createInstance(company: company, name: "vendas")
        try store.claimPhone("5511999998888", for: stuck.id)
        let healthy = try store.createInstance(company: company, name: "suporte")
        try store.claimPhone("5511988887777", for: healthy.id)
        let stuckPhone = StuckConnector()
        let healthyPhone = RecordingConnector(instanceID: healthy.id)
        let pipeline = MessagePipeline(store: store, scripts: ReplyingScripts(), configuration: configuration,
                                       connectors: { $0 == stuck.id ? stuckPhone as any Connector : healthyPhone })
        try pipeline.start()

        // More replies queued on the stuck number than the whole in-flight budget.
        for index in 0..<40 {
            try await pipeline.inbound(message(try store.instance(stuck.id), "v\(index)", from: "55119000\(index)"))
        }
        try await eventually("the stuck number's lane to fill") { stuckPhone.waiting >= 1 }
        for index in 0..<5 {
            try await pipeline.inbound(message(try store.instance(healthy.id), "s\(index)", from: "55118000\(index)"))
        }
        try await eventually("the other number's replies") { healthyPhone.delivered.count == 5 }
        stuckPhone.release()
        try await eventually("the stuck number's replies once it recovers", within: 20) { stuckPhone.sent == 40 }
        await pipeline.stop()
    }
}

/// A connector whose sends hang until released: a number whose gateway stopped answering.
final class StuckConnector: Connector, Sendable {
    private struct State {
        var released = false
        var waiters: [CheckedContinuation<Void, Never>] = []
        var keys: Set<String> = []
    }
    private let state = Mutex(State())

    var waiting: Int { state.withLock { $0.waiters.count } }
    var sent: Int { state.withLock { $0.keys.count } }

    func release() {
        let waiters = state.withLock { state in
            state.released = true
            defer { state.waiters = [] }
            return state.waiters
        }
        waiters.forEach { $0.resume() }
    }

    func start(sink: ConnectorSink) async throws {}
    func stop() async {}
    func logout() async {}

    func send(_ message: OutgoingMessage) async throws(SendFailure) -> String {
        await withCheckedContinuation { continuation in
            let go = state.withLock { state -> Bool in
                if state.released { return true }
                state.waiters.append(continuation)
                return false
            }
            if go { continuation.resume() }
        }
        state.withLock { _ = $0.keys.insert(message.idempotencyKey) }
        return "p-\(message.idempotencyKey)"
    }
}
