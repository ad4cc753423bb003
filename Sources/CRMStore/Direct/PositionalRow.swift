import GRDB

/// A result row read by position: GRDB's `Row`, or the current row of a
/// `DirectStatement`. Records decode from either with one initialiser.
protocol PositionalRow {
    subscript<Value: DatabaseValueConvertible & StatementColumnConvertible>(column index: Int) -> Value { get }
}

extension Row: PositionalRow {
    subscript<Value: DatabaseValueConvertible & StatementColumnConvertible>(column index: Int) -> Value { self[index] }
}
