import CRMCore
import Foundation
import GRDB
import GRDBSQLite
import XCTest
@testable import CRMStore

/// The store's connections write their log a commit at a time
/// (`CSQLiteLogWriter`); another connection on SQLite's plain file system,
/// reading the files themselves, must find every commit the moment it returns.
final class LogWriterTests: XCTestCase {
    func test_storeConnectionsWriteThroughTheLogWriter() throws {
        let temporary = try TemporaryStore()
        let name = try temporary.store.pool.read { db -> String? in
            var vfs: UnsafeMutablePointer<sqlite3_vfs>?
            guard sqlite3_file_control(db.sqliteConnection, "main", SQLITE_FCNTL_VFS_POINTER, &vfs) == SQLITE_OK,
                  let vfs else { return nil }
            return String(cString: vfs.pointee.zName)
        }
        XCTAssertEqual(name, "crm-log-writer")
    }

    /// Commits of one page, of a few hundred (more than the plain file
    /// system writes in one call) and of more than the buffer holds (written
    /// out before the commit frame): each is whole in the files when it returns.
    func test_everyCommitIsInTheFilesWhenItReturns() throws {
        let temporary = try TemporaryStore()
        let instance = try temporary.connectedInstance(phone: "5511999998888")
        let plain = try PlainReader(path: temporary.store.path)
        var committed: [(count: Int, bytes: Int)] = [(0, 0)]
        for (batch, (messages, size)) in [(1, 10), (40, 10_000), (1, 20), (60, 150_000), (3, 6)].enumerated() {
            try temporary.store.transactionNow { transaction in
                for index in 0..<messages {
                    _ = try transaction.ingest(inbound(instance, id: "c\(batch)-\(index)", phone: "5511955550000",
                                                       text: String(repeating: "é", count: size / 2)))
                }
            }
            committed.append((committed.last!.count + messages, committed.last!.bytes + messages * size))
            let seen = try plain.messages()
            XCTAssertEqual(seen.count, committed.last!.count, "after commit \(batch)")
            XCTAssertEqual(seen.bytes, committed.last!.bytes, "after commit \(batch)")
        }
        XCTAssertEqual(try plain.integrity(), "ok")
    }

    /// A transaction larger than its connection's page cache writes frames
    /// before its commit, reads them back, writes some of them again, and at
    /// the commit rewrites their checksums: each of those goes through what
    /// the layer has gathered, and the commit is whole.
    func test_transactionLargerThanTheCacheCommitsWhole() throws {
        let temporary = try TemporaryStore()
        let path = temporary.folder.appendingPathComponent("spill.sqlite").path
        var configuration = Configuration()
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA cache_size = 8") }
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: "CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
        }
        try queue.write { db in
            for index in 0..<2_000 {
                try db.execute(sql: "INSERT INTO notes(body) VALUES (?)",
                               arguments: [String(repeating: "nota \(index) ", count: 60)])
            }
            try db.execute(sql: "UPDATE notes SET body = upper(body)")
        }
        let plain = try PlainReader(path: path)
        XCTAssertEqual(try plain.query("SELECT count(*), sum(body = upper(body)) FROM notes"), ["2000", "2000"])
        XCTAssertEqual(try plain.integrity(), "ok")
    }

    /// A copy of the database and its log taken right after a commit, as a
    /// process killed then would leave them, opens with every commit in it.
    func test_copyTakenAfterACommitRecoversEveryCommit() throws {
        let temporary = try TemporaryStore()
        let instance = try temporary.connectedInstance(phone: "5511999998888")
        for batch in 0..<20 {
            try temporary.store.transactionNow { transaction in
                for index in 0..<(batch + 1) {
                    _ = try transaction.ingest(inbound(instance, id: "k\(batch)-\(index)", phone: "551195555\(index % 7)",
                                                       text: "mensagem \(batch) \(index)"))
                }
            }
        }
        let copy = temporary.folder.appendingPathComponent("copy")
        try FileManager.default.createDirectory(at: copy, withIntermediateDirectories: true)
        try temporary.store.pool.read { _ in
            for suffix in ["", "-wal"] {
                try FileManager.default.copyItem(atPath: temporary.store.path + suffix,
                                                 toPath: copy.appendingPathComponent("crm.sqlite" + suffix).path)
            }
        }
        let recovered = try PlainReader(path: copy.appendingPathComponent("crm.sqlite").path)
        XCTAssertEqual(try recovered.messages().count, (1...20).reduce(0, +))
        XCTAssertEqual(try recovered.integrity(), "ok")
    }
}

private struct PlainReaderError: Error {
    let message: String
}

/// A connection through SQLite's own unix file system, beside the store's.
private final class PlainReader {
    private let connection: OpaquePointer

    init(path: String) throws {
        var opened: OpaquePointer?
        guard sqlite3_open_v2(path, &opened, SQLITE_OPEN_READWRITE, "unix") == SQLITE_OK, let opened else {
            sqlite3_close_v2(opened)
            throw PlainReaderError(message: "cannot open \(path)")
        }
        connection = opened
    }

    deinit { sqlite3_close_v2(connection) }

    func messages() throws -> (count: Int, bytes: Int) {
        let row = try query("SELECT count(*), coalesce(sum(length(CAST(content AS BLOB))), 0) FROM messages")
        return (Int(row[0]) ?? -1, Int(row[1]) ?? -1)
    }

    func integrity() throws -> String { try query("PRAGMA integrity_check")[0] }

    func query(_ sql: String) throws -> [String] {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(connection, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw PlainReaderError(message: String(cString: sqlite3_errmsg(connection)))
        }
        defer { sqlite3_finalize(statement) }
        guard sqlite3_step(statement) == SQLITE_ROW else {
            throw PlainReaderError(message: String(cString: sqlite3_errmsg(connection)))
        }
        return (0..<sqlite3_column_count(statement)).map { String(cString: sqlite3_column_text(statement, $0)) }
    }
}
