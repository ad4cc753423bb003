import GRDB
import GRDBSQLite

/// A statement of a hot path (the message pipeline, the inbox list), bound and
/// stepped through the sqlite3 C API. GRDB (or a `ReadConnection`) still
/// prepares and caches it; what goes around GRDB is the per-call work of
/// `StatementArguments` (an array of boxed values), of row cursors (a
/// dictionary of column names built per query) and of its bookkeeping for
/// observers and read regions, which this store does not use. Writing one row
/// costs less in SQLite than that did.
///
/// The same statements leave out `RETURNING`: SQLite buffers those rows in an
/// ephemeral table opened per call, which costs more than reading the row
/// again by its key.
///
/// Only for use inside a transaction (a write, or a read of
/// `ReadConnections`): it refuses to run outside one, so that a transaction
/// SQLite has rolled back after an error can never go on as single statements
/// committed one by one.
struct DirectStatement {
    private let handle: OpaquePointer
    private let connection: OpaquePointer
    private let sql: String
    /// What keeps the prepared statement alive while this is in use.
    private let owner: AnyObject

    /// The cached statement for `sql`, checked to be inside a transaction.
    init(_ db: Database, sql: String) throws {
        guard let connection = db.sqliteConnection, sqlite3_get_autocommit(connection) == 0 else {
            throw DatabaseError(resultCode: .SQLITE_ABORT, message: "not inside a transaction", sql: sql)
        }
        let statement = try db.cachedStatement(sql: sql)
        self.init(handle: statement.sqliteStatement, connection: connection, sql: sql, owner: statement)
    }

    /// The statement for `sql` prepared on `reader`, checked to be inside a transaction.
    init(_ reader: ReadConnection, sql: String) throws {
        guard sqlite3_get_autocommit(reader.handle) == 0 else {
            throw DatabaseError(resultCode: .SQLITE_ABORT, message: "not inside a transaction", sql: sql)
        }
        self.init(handle: try reader.prepared(sql), connection: reader.handle, sql: sql, owner: reader)
    }

    private init(handle: OpaquePointer, connection: OpaquePointer, sql: String, owner: AnyObject) {
        self.handle = handle; self.connection = connection; self.sql = sql; self.owner = owner
    }

    /// Binds `values` to `?1`, `?2`… and runs the statement to its end.
    func execute<each Value: DirectArgument>(_ values: repeat each Value) throws {
        bind(repeat each values)
        defer { finish() }
        while true {
            switch sqlite3_step(handle) {
            case SQLITE_DONE: return
            case SQLITE_ROW: continue
            case let code: throw failure(code)
            }
        }
    }

    /// Binds `values`, runs the statement and reads its first row, if any.
    func fetchOne<Result, each Value: DirectArgument>(_ values: repeat each Value,
                                                       read: (DirectRow) -> Result) throws -> Result? {
        bind(repeat each values)
        defer { finish() }
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return read(DirectRow(handle: handle))
        case SQLITE_DONE: return nil
        case let code: throw failure(code)
        }
    }

    /// Binds `values`, runs the statement and reads every row it returns.
    func fetchAll<Result, each Value: DirectArgument>(_ values: repeat each Value,
                                                       read: (DirectRow) -> Result) throws -> [Result] {
        bind(repeat each values)
        return try rows(read)
    }

    /// Binds `arguments`, as many as the text of the query has placeholders,
    /// and reads every row; for queries whose filters choose their arguments.
    func fetchAll<Result>(arguments: [any DirectArgument], read: (DirectRow) -> Result) throws -> [Result] {
        for (index, argument) in arguments.enumerated() { argument.bind(to: handle, at: Int32(index + 1)) }
        return try rows(read)
    }

    /// Steps the bound statement to its end, reading each row.
    private func rows<Result>(_ read: (DirectRow) -> Result) throws -> [Result] {
        defer { finish() }
        var results: [Result] = []
        while true {
            switch sqlite3_step(handle) {
            case SQLITE_ROW: results.append(read(DirectRow(handle: handle)))
            case SQLITE_DONE: return results
            case let code: throw failure(code)
            }
        }
    }

    private func bind<each Value: DirectArgument>(_ values: repeat each Value) {
        var index: Int32 = 0
        for value in repeat each values {
            index += 1
            value.bind(to: handle, at: index)
        }
    }

    /// Leaves the statement as the cache expects it: reset, nothing bound.
    private func finish() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    private func failure(_ code: Int32) -> DatabaseError {
        DatabaseError(resultCode: ResultCode(rawValue: sqlite3_extended_errcode(connection)),
                      message: String(cString: sqlite3_errmsg(connection)), sql: sql)
    }
}

/// The current row of a `DirectStatement`, read by position.
struct DirectRow: PositionalRow {
    fileprivate let handle: OpaquePointer

    subscript<Value: DatabaseValueConvertible & StatementColumnConvertible>(column index: Int) -> Value {
        guard let value = Value.fromStatement(handle, atUncheckedIndex: Int32(index)) else {
            preconditionFailure("column \(index) does not hold a \(Value.self)")
        }
        return value
    }

    /// Text, or nil for NULL: `sqlite3_column_text` answers NULL for a NULL
    /// column and gives the length beside it, so no type check nor `strlen`.
    subscript(column index: Int) -> String? {
        let column = Int32(index)
        guard let text = sqlite3_column_text(handle, column) else { return nil }
        let length = Int(sqlite3_column_bytes(handle, column))
        // Invalid UTF-8 is repaired, as GRDB's `String(cString:)` does.
        return String(decoding: UnsafeBufferPointer(start: text, count: length), as: UTF8.self)
    }

    subscript(column index: Int) -> String {
        guard let text: String = self[column: index] else { preconditionFailure("column \(index) is NULL") }
        return text
    }

    /// Columns declared NOT NULL: read without asking for their type first.
    subscript(column index: Int) -> Int64 { sqlite3_column_int64(handle, Int32(index)) }
    subscript(column index: Int) -> Int { Int(sqlite3_column_int64(handle, Int32(index))) }
    subscript(column index: Int) -> Bool { sqlite3_column_int64(handle, Int32(index)) != 0 }
    subscript(column index: Int) -> Double { sqlite3_column_double(handle, Int32(index)) }

    subscript(column index: Int) -> Double? {
        let column = Int32(index)
        return sqlite3_column_type(handle, column) == SQLITE_NULL ? nil : sqlite3_column_double(handle, column)
    }
}
