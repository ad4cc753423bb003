import CRMCore
import Foundation
import GRDB
import XCTest
@testable import CRMStore

final class WALCheckpointTests: XCTestCase {
    /// Past the threshold, the log is copied into the database file by the
    /// background thread: the file alone, without its log, then holds rows.
    func test_logPastTheThresholdIsCheckpointedInTheBackground() throws {
        let temporary = try TemporaryStore()
        let instance = try temporary.connectedInstance(phone: "5511999998888")
        let text = String(repeating: "olá ", count: 5_000)
        for batch in 0..<40 {
            try temporary.store.transactionNow { transaction in
                for index in 0..<10 {
                    _ = try transaction.ingest(inbound(instance, id: "w\(batch)-\(index)", phone: "55119555\(index)",
                                                       text: text))
                }
            }
        }
        let deadline = Date().addingTimeInterval(10)
        while temporary.store.backgroundCheckpoints == 0, Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        XCTAssertGreaterThan(temporary.store.backgroundCheckpoints, 0)
        _ = try settledCheckpoints(temporary)

        let copy = temporary.folder.appendingPathComponent("file-alone.sqlite")
        try FileManager.default.copyItem(at: temporary.folder.appendingPathComponent("crm.sqlite"), to: copy)
        let alone = try DatabaseQueue(path: copy.path)
        let rows = try alone.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM messages")! }
        XCTAssertGreaterThan(rows, 0)
        XCTAssertLessThanOrEqual(rows, 400)
        XCTAssertEqual(try temporary.count("messages"), 400)
    }

    /// Past the threshold, commits that each add a few pages ask for a
    /// checkpoint once per step of the log's growth, not once per commit.
    func test_checkpointsFollowTheLogsGrowthNotItsCommits() throws {
        let (temporary, instance) = try store(committing: 120, of: String(repeating: "olá ", count: 5_000))
        XCTAssertGreaterThanOrEqual(try walPages(temporary), Int(WALCheckpointer.threshold))
        let settled = try settledCheckpoints(temporary)

        for index in 0..<300 {
            try temporary.ingest(inbound(instance, id: "short\(index)", phone: "551195551\(index % 10)", text: "oi \(index)"))
        }
        let taken = try settledCheckpoints(temporary) - settled
        // 300 commits of a few pages each grow the log by at most a few steps
        // (and it may start over once); asked at every commit, as before, the
        // thread ran a checkpoint after nearly every one of them.
        XCTAssertLessThanOrEqual(taken, 6)
        XCTAssertEqual(try temporary.count("messages"), 420)
    }

    /// A store with one instance and `count` messages of `text` from one
    /// contact, each committed on its own.
    private func store(committing count: Int, of text: String) throws -> (TemporaryStore, InstanceRecord) {
        let temporary = try TemporaryStore()
        let instance = try temporary.connectedInstance(phone: "5511999998888")
        for index in 0..<count {
            try temporary.ingest(inbound(instance, id: "long\(index)", phone: "5511955550000", text: text))
        }
        return (temporary, instance)
    }

    /// The background checkpoints so far, once no more are running.
    private func settledCheckpoints(_ temporary: TemporaryStore) throws -> Int {
        var seen = -1
        while seen != temporary.store.backgroundCheckpoints {
            seen = temporary.store.backgroundCheckpoints
            Thread.sleep(forTimeInterval: 0.3)
        }
        return seen
    }

    /// Pages in the write-ahead log file (it is reused, not shrunk, when the log starts over).
    private func walPages(_ temporary: TemporaryStore) throws -> Int {
        let wal = temporary.folder.appendingPathComponent("crm.sqlite-wal").path
        let size = try FileManager.default.attributesOfItem(atPath: wal)[.size] as? Int ?? 0
        return size / 4_096
    }

    /// Closing a store ends its checkpoint thread and hands the writer back to
    /// SQLite, so reopening finds everything written.
    func test_reopenedStoreFindsEveryRow() throws {
        let (temporary, _) = try store(committing: 600, of: String(repeating: "x", count: 8_000))
        try temporary.reopen()
        XCTAssertEqual(try temporary.count("messages"), 600)
    }
}
