import CRMCore
import CRMStore
import Synchronization
import XCTest
@testable import CRMSessions

final class PipelineRecoveryTests: XCTestCase {
    func test_timerFiresOnceAfterReopeningTheDatabase() async throws {
        let scripts = ReplyingScripts()
        let harness = try PipelineHarness(scripts: scripts)
        let (instance, connector) = try harness.instance(phone: "5511999998888")
        try await harness.pipeline.inbound(message(instance, "w1", text: "later"))
        await harness.stop()
        XCTAssertEqual(try harness.statistics.timers, 1)
        try harness.restart()
        try await eventually("the timer's send") { connector.delivered.contains { $0.text == "timer followup" } }
        try await Task.sleep(for: .milliseconds(200))
        XCTAssertEqual(scripts.events.filter { $0.name == "timer" }.count, 1)
        XCTAssertEqual(try harness.statistics.timers, 0)
        await harness.stop()
    }

    /// Abandons the pipeline several times while messages stream in, reopening
    /// the database each time: every acknowledged message is stored once and
    /// every reply reaches its contact exactly once.
    func test_abandonedMidStreamLosesNoAcknowledgedMessageAndRepliesOnce() async throws {
        let harness = try PipelineHarness()
        let (instance, connector) = try harness.instance(phone: "5511999998888")
        let acknowledged = Locked<Set<String>>([])
        let total = 600
        for round in 0..<3 {
            let pipeline = harness.pipeline
            let producer = Task {
                await withTaskGroup(of: Void.self) { group in
                    for index in stride(from: round, to: total, by: 3) {
                        group.addTask {
                            let id = "w\(index)"
                            if (try? await pipeline.inbound(message(instance, id, from: "55119\(index % 40)", text: id))) != nil {
                                acknowledged.withLock { _ = $0.insert(id) }
                            }
                        }
                    }
                }
            }
            try await Task.sleep(for: .milliseconds(30))
            try harness.restart()
            await producer.value
        }
        let stored = try storedInboundIDs(harness, company: instance.companyID)
        XCTAssertTrue(acknowledged.withLock { $0 }.isSubset(of: stored), "an acknowledged message was lost")
        for index in 0..<total {
            try await harness.pipeline.inbound(message(instance, "w\(index)", from: "55119\(index % 40)", text: "w\(index)"))
        }
        try await eventually("every reply") { try harness.statistics.outbox == 0 && connector.delivered.count == total }
        XCTAssertFalse(acknowledged.withLock { $0 }.isEmpty)
        XCTAssertEqual(try harness.statistics.inboundMessages, total, "each message stored once")
        XCTAssertEqual(try harness.statistics.outboundMessages, total, "each answered once")
        XCTAssertEqual(Set(connector.delivered.compactMap(\.text)).count, total, "each reply seen once by its contact")
        await harness.stop()
    }

    private func storedInboundIDs(_ harness: PipelineHarness, company: Int64) throws -> Set<String> {
        var ids: Set<String> = []
        for conversation in try harness.store.conversations(company: company, limit: 500).items {
            var cursor: String?
            repeat {
                let page = try harness.store.messages(in: conversation.conversation.id, company: company, cursor: cursor, limit: 500)
                ids.formUnion(page.items.filter { $0.direction == .inbound }.compactMap(\.whatsappID))
                cursor = page.nextCursor
            } while cursor != nil
        }
        return ids
    }
}
