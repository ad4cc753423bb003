import GRDB
import GRDBSQLite

/// A read-only SQLite connection to the store's file, outside GRDB's pool,
/// with the statements it has prepared kept for the next call.
///
/// For the API's hot reads (the inbox list): taking a reader from GRDB's pool
/// (a semaphore, a lock on a dispatch queue, a scheduling check) and its
/// isolation (a read-only pragma, a savepoint, `BEGIN` and `COMMIT` parsed
/// anew) cost more than the inbox's own queries. Here a read is a lock to take
/// an idle connection and two prepared statements around the queries.
///
/// Used by one thread at a time: `ReadConnections` lends each to one caller.
final class ReadConnection: @unchecked Sendable {
    let handle: OpaquePointer
    private var statements: [String: OpaquePointer] = [:]

    init(path: String) throws {
        var opened: OpaquePointer?
        let code = sqlite3_open_v2(path, &opened, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nil)
        guard code == SQLITE_OK, let opened else {
            let message = opened.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open \(path)"
            sqlite3_close_v2(opened)
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message)
        }
        // As the pool's readers wait: a checkpoint may briefly hold the WAL index.
        sqlite3_busy_timeout(opened, 5_000)
        handle = opened
    }

    deinit {
        for statement in statements.values { sqlite3_finalize(statement) }
        sqlite3_close_v2(handle)
    }

    /// The statement for `sql`, prepared on its first use and kept.
    func prepared(_ sql: String) throws -> OpaquePointer {
        if let statement = statements[sql] { return statement }
        var statement: OpaquePointer?
        guard sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil) == SQLITE_OK,
              let statement else {
            throw failure(sql)
        }
        statements[sql] = statement
        return statement
    }

    /// Runs `body` in one read transaction: every query in it sees the same
    /// state of the database.
    func transaction<T>(_ body: (ReadConnection) throws -> T) throws -> T {
        try run("BEGIN")
        let result: T
        do {
            result = try body(self)
        } catch {
            try? run("ROLLBACK")
            throw error
        }
        try run("COMMIT")
        return result
    }

    /// Runs a statement of transaction control to its end.
    private func run(_ sql: String) throws {
        let statement = try prepared(sql)
        defer { sqlite3_reset(statement) }
        guard sqlite3_step(statement) == SQLITE_DONE else { throw failure(sql) }
    }

    private func failure(_ sql: String) -> DatabaseError {
        DatabaseError(resultCode: ResultCode(rawValue: sqlite3_extended_errcode(handle)),
                      message: String(cString: sqlite3_errmsg(handle)), sql: sql)
    }
}
