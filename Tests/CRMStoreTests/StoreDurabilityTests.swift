import CRMCore
import CSQLiteLogWriter
import Foundation
import GRDB
import GRDBSQLite
import XCTest
@testable import CRMStore

/// A commit returns once it is on stable storage unless the store was asked
/// for less: the log is synced at every commit by default, only at
/// checkpoints with `relaxed`.
final class StoreDurabilityTests: XCTestCase {
    func test_storeSyncsEveryCommitByDefault() throws {
        let temporary = try TemporaryStore()
        XCTAssertEqual(temporary.store.durability, .full)
        XCTAssertEqual(try synchronous(temporary.store), 2, "PRAGMA synchronous = FULL")
        XCTAssertEqual(try logSyncsDuring(5, commitsOf: temporary), 5)
    }

    func test_relaxedStoreSyncsOnlyAtCheckpoints() throws {
        let temporary = try TemporaryStore(durability: .relaxed)
        XCTAssertEqual(try synchronous(temporary.store), 1, "PRAGMA synchronous = NORMAL")
        XCTAssertEqual(try logSyncsDuring(5, commitsOf: temporary), 0)
    }

    private func synchronous(_ store: CRMStore) throws -> Int {
        try store.pool.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous")! }
    }

    /// Syncs of the writer's log while `count` transactions commit, each storing one message.
    private func logSyncsDuring(_ count: Int, commitsOf temporary: TemporaryStore) throws -> Int64 {
        let instance = try temporary.connectedInstance(phone: "5511999998888")
        let before = try logSyncs(temporary.store)
        for index in 0..<count {
            try temporary.ingest(inbound(instance, id: "s\(index)", phone: "5511955550000"))
        }
        return try logSyncs(temporary.store) - before
    }

    private func logSyncs(_ store: CRMStore) throws -> Int64 {
        try store.pool.writeWithoutTransaction { db in
            var syncs: Int64 = -1
            XCTAssertEqual(sqlite3_file_control(db.sqliteConnection, "main", CRM_FCNTL_LOG_SYNCS, &syncs), SQLITE_OK)
            return syncs
        }
    }
}
