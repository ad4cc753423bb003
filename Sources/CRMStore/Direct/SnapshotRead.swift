import GRDB
import GRDBSQLite

extension CRMStore {
    /// Runs `body` in one read transaction on a reader connection of the pool:
    /// every query in it sees the same state of the database, as in
    /// `pool.read`, and `DirectStatement`s may run in it.
    ///
    /// For reads on the API's hot path (the inbox list). `pool.read` wraps its
    /// body in GRDB's isolation (a read-only pragma on and off, a savepoint, a
    /// transaction whose `BEGIN` and `COMMIT` are parsed anew each time), which
    /// cost more than the inbox's own queries; here `BEGIN` and `COMMIT` are
    /// statements prepared once per connection and stepped directly.
    func snapshotRead<T>(_ body: (Database) throws -> T) throws -> T {
        try pool.unsafeRead { db in
            try Self.step(db, "BEGIN")
            let result: T
            do {
                result = try body(db)
            } catch {
                try? Self.step(db, "ROLLBACK")
                throw error
            }
            try Self.step(db, "COMMIT")
            return result
        }
    }

    /// Runs a statement of transaction control to its end.
    private static func step(_ db: Database, _ sql: String) throws {
        let statement = try db.cachedStatement(sql: sql)
        defer { sqlite3_reset(statement.sqliteStatement) }
        guard sqlite3_step(statement.sqliteStatement) == SQLITE_DONE else {
            throw DatabaseError(resultCode: db.lastErrorCode, message: db.lastErrorMessage, sql: sql)
        }
    }
}
