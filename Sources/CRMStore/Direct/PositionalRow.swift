import GRDB

/// A result row read by position: GRDB's `Row`, or the current row of a
/// `DirectStatement`. Records decode from either with one initialiser.
///
/// Beside the generic read, the types records are made of have reads of
/// their own: a statement's row reads them with one sqlite3 call each (see
/// `DirectRow`), where GRDB's generic conversion first asks SQLite for the
/// column's type and measures text with `strlen`.
protocol PositionalRow {
    subscript<Value: DatabaseValueConvertible & StatementColumnConvertible>(column index: Int) -> Value { get }
    subscript(column index: Int) -> String { get }
    subscript(column index: Int) -> String? { get }
    subscript(column index: Int) -> Int64 { get }
    subscript(column index: Int) -> Int { get }
    subscript(column index: Int) -> Bool { get }
    subscript(column index: Int) -> Double { get }
    subscript(column index: Int) -> Double? { get }
}

extension Row: PositionalRow {
    subscript<Value: DatabaseValueConvertible & StatementColumnConvertible>(column index: Int) -> Value { self[index] }
    subscript(column index: Int) -> String { self[index] }
    subscript(column index: Int) -> String? { self[index] }
    subscript(column index: Int) -> Int64 { self[index] }
    subscript(column index: Int) -> Int { self[index] }
    subscript(column index: Int) -> Bool { self[index] }
    subscript(column index: Int) -> Double { self[index] }
    subscript(column index: Int) -> Double? { self[index] }
}
