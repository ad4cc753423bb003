import CRMCore
import CSQLiteLogWriter
import Foundation
import GRDB
import GRDBSQLite
import XCTest
@testable import CRMStore

/// A write or a sync of the log that fails (a full disk, an I/O error) fails
/// the commit it belongs to, wherever the commit meets it, and the database
/// keeps exactly the commits that succeeded.
final class LogWriterFaultTests: XCTestCase {
    func test_failedLogWriteFailsTheCommitAndKeepsTheDatabaseWhole() throws {
        let temporary = try TemporaryStore()
        let instance = try temporary.connectedInstance(phone: "5511999998888")
        try temporary.ingest(inbound(instance, id: "before", phone: "5511955550000"))
        try failNextLogOperations(of: temporary.store, writes: 1)
        XCTAssertThrowsError(try temporary.ingest(inbound(instance, id: "lost", phone: "5511955550000"))) { error in
            XCTAssertEqual((error as? DatabaseError)?.resultCode, .SQLITE_IOERR, "\(error)")
        }
        try temporary.ingest(inbound(instance, id: "after", phone: "5511955550000"))
        try temporary.reopen()
        XCTAssertEqual(try inboundIDs(temporary), ["after", "before"])
        XCTAssertEqual(try integrity(temporary), "ok")
    }

    func test_failedLogSyncFailsTheCommit() throws {
        let temporary = try TemporaryStore()
        let instance = try temporary.connectedInstance(phone: "5511999998888")
        try failNextLogOperations(of: temporary.store, syncs: 1)
        XCTAssertThrowsError(try temporary.ingest(inbound(instance, id: "unsynced", phone: "5511955550000"))) { error in
            XCTAssertEqual((error as? DatabaseError)?.resultCode, .SQLITE_IOERR, "\(error)")
        }
        XCTAssertEqual(try inboundIDs(temporary), [])
        try temporary.ingest(inbound(instance, id: "synced", phone: "5511955550000"))
        XCTAssertEqual(try inboundIDs(temporary), ["synced"])
    }

    /// SQLite asks for the shared index's barrier as it publishes a header
    /// and cannot be told that writing the gathered frames out failed there:
    /// the transaction those frames belong to must then fail at its commit,
    /// not commit without them.
    func test_writeErrorAtTheBarrierFailsTheTransactionsCommit() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("crm-barrier-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        _ = try TemporaryStore()  // installs the log writer
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA cache_size = 8") }
        let queue = try DatabaseQueue(path: folder.appendingPathComponent("spill.sqlite").path, configuration: configuration)
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: "CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
            try db.execute(sql: "INSERT INTO notes(body) VALUES ('kept')")
        }
        XCTAssertThrowsError(try queue.write { db in
            // Larger than the cache: frames go to the log before the commit, the last of them still gathered.
            for index in 0..<2_000 {
                try db.execute(sql: "INSERT INTO notes(body) VALUES (?)", arguments: [String(repeating: "nota \(index) ", count: 60)])
            }
            var failing: Int32 = 1
            XCTAssertEqual(sqlite3_file_control(db.sqliteConnection, "main", CRM_FCNTL_FAIL_LOG_WRITES, &failing), SQLITE_OK)
            var pointer: UnsafeMutablePointer<sqlite3_file>?
            XCTAssertEqual(sqlite3_file_control(db.sqliteConnection, "main", SQLITE_FCNTL_FILE_POINTER, &pointer), SQLITE_OK)
            let database = try XCTUnwrap(pointer)
            database.pointee.pMethods.pointee.xShmBarrier(database)
        })
        let rows = try queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM notes")! }
        XCTAssertEqual(rows, 1)
        try queue.write { db in try db.execute(sql: "INSERT INTO notes(body) VALUES ('next')") }
        try queue.close()
        let reopened = try DatabaseQueue(path: folder.appendingPathComponent("spill.sqlite").path)
        try reopened.read { db in
            XCTAssertEqual(try String.fetchAll(db, sql: "SELECT body FROM notes ORDER BY id"), ["kept", "next"])
            XCTAssertEqual(try String.fetchOne(db, sql: "PRAGMA integrity_check"), "ok")
        }
    }

    private func failNextLogOperations(of store: CRMStore, writes: Int32 = 0, syncs: Int32 = 0) throws {
        try store.pool.writeWithoutTransaction { db in
            var writes = writes, syncs = syncs
            XCTAssertEqual(sqlite3_file_control(db.sqliteConnection, "main", CRM_FCNTL_FAIL_LOG_WRITES, &writes), SQLITE_OK)
            XCTAssertEqual(sqlite3_file_control(db.sqliteConnection, "main", CRM_FCNTL_FAIL_LOG_SYNCS, &syncs), SQLITE_OK)
        }
    }

    private func inboundIDs(_ temporary: TemporaryStore) throws -> [String] {
        try temporary.store.pool.read { db in
            try String.fetchAll(db, sql: "SELECT whatsapp_message_id FROM messages WHERE direction = 'in' ORDER BY whatsapp_message_id")
        }
    }

    private func integrity(_ temporary: TemporaryStore) throws -> String {
        try temporary.store.pool.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check")! }
    }
}
