import CRMCore
import CRMStore
import Foundation
import Synchronization
import XCTest
@testable import CRMSessions

final class PipelineRecoveryTests: XCTestCase {
    /// A bot that answers “lembrete” with a timer, and the timer with a send.
    private static func reminderBot() -> SwiftScriptHost {
        SwiftScriptHost { event, context in
            switch event {
            case .message(let message):
                return ScriptOutcome(actions: [.timer(name: "remind", payload: .object(["conversation": .integer(message.conversation)]),
                                                      dueAt: context.now.addingTimeInterval(0.3))])
            case .timer(let timer):
                guard case .integer(let conversation)? = timer.payload["conversation"] else { return .none }
                return ScriptOutcome(actions: [.send(conversation: conversation, content: OutgoingContent(text: "lembrete"))])
            default:
                return .none
            }
        }
    }

    func test_timerFiresOnceAfterTheDatabaseIsReopened() async throws {
        let fixture = try PipelineFixture(host: Self.reminderBot()) { $0.scanInterval = 3600 }
        try await fixture.pipeline.inbound(fixture.message(to: fixture.vendas, id: "v1", from: "5511911112222"))
        await fixture.pipeline.shutdown()
        XCTAssertEqual(fixture.vendasPhone.deliveries.count, 0)

        try await Task.sleep(for: .milliseconds(400))
        let reopened = try Store(folder: fixture.folder)
        let host = Self.reminderBot()
        fixture.pipeline = fixture.makePipeline(store: reopened, host: host)
        try await eventually { fixture.vendasPhone.deliveries.count == 1 }
        try await Task.sleep(for: .milliseconds(300))
        XCTAssertEqual(fixture.vendasPhone.deliveries.map(\.content.text), ["lembrete"])
        XCTAssertEqual(host.events(of: fixture.vendas.id).filter { $0.name == "timer" }.count, 1)
        XCTAssertEqual(try reopened.dueTimers(now: Date().addingTimeInterval(60)), [])
        await fixture.pipeline.shutdown()
    }

    /// A crash mid-stream, several times: the source redelivers what was not
    /// acknowledged; every acknowledged message is stored once and every reply
    /// reaches its contact once.
    func test_abandonedPipelinesLoseNoAcknowledgedMessageAndSendNoReplyTwice() async throws {
        let fixture = try PipelineFixture(host: .echo())
        let total = 3000
        let acknowledged = Mutex(Set<String>())
        var store = fixture.store
        var pending = (0..<total).map { "m\($0)" }
        var restarts = 0

        while !pending.isEmpty {
            let pipeline = fixture.pipeline!
            let batch = pending
            let stream = Task {
                await withTaskGroup(of: Void.self) { group in
                    for (index, id) in batch.enumerated() {
                        let instance = index.isMultiple(of: 2) ? fixture.vendas : fixture.suporte
                        let message = fixture.message(to: instance, id: id, from: "55119\(index % 50)", text: id)
                        group.addTask {
                            if (try? await pipeline.inbound(message)) != nil { acknowledged.withLock { _ = $0.insert(id) } }
                        }
                        if index.isMultiple(of: 64) { await Task.yield() }
                    }
                }
            }
            if restarts < 3 {
                try await eventually { acknowledged.withLock { $0.count } > (total / 4) * (restarts + 1) }
                await pipeline.abandon()
                await stream.value
                restarts += 1
                store = try Store(folder: fixture.folder)
                fixture.pipeline = fixture.makePipeline(store: store, host: .echo())
            } else {
                await stream.value
            }
            pending = pending.filter { id in !acknowledged.withLock { $0.contains(id) } }
        }

        let phones = [fixture.vendasPhone, fixture.suportePhone]
        try await eventually(30) { phones.map(\.deliveries.count).reduce(0, +) == total }
        try await eventually { try store.outboxCount() == 0 }
        let inbound = try (store.conversations(instanceID: fixture.vendas.id) + store.conversations(instanceID: fixture.suporte.id))
            .flatMap { try store.messages(conversationID: $0.id, companyID: fixture.company.id, limit: 1000) }
        let stored = inbound.filter { $0.direction == .inbound }.map(\.content)
        XCTAssertEqual(stored.count, total)
        XCTAssertEqual(Set(stored).count, total)
        XCTAssertEqual(inbound.filter { $0.direction == .outbound }.count, total)
        let replies = phones.flatMap(\.deliveries).compactMap(\.content.text)
        XCTAssertEqual(Set(replies), Set((0..<total).map { "re: m\($0)" }))
        XCTAssertEqual(restarts, 3)
        await fixture.pipeline.shutdown()
    }
}
