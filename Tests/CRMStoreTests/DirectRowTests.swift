import GRDB
import XCTest
@testable import CRMStore

/// A statement's row reads text and numbers with sqlite3 calls of its own;
/// what it reads must be what GRDB's `Row` reads from the same values.
final class DirectRowTests: XCTestCase {
    private static let values = """
        SELECT NULL, '', 'olá 👋 "aspas"', 'quinze bytes ok', 'dezesseis bytes.', 42, -7, 1.5, 3, 0, NULL,
               1764400000.75
        """

    /// The row of `values`, read through `PositionalRow` as records read theirs.
    struct Values: Equatable {
        var null, empty, unicode, short, long: String?
        var integer: Int64, int: Int, real: Double, yes: Bool, no: Bool
        var noReal: Double?, someReal: Double?

        init(_ row: some PositionalRow) {
            null = row[column: 0]; empty = row[column: 1]; unicode = row[column: 2]; short = row[column: 3]
            long = row[column: 4]; integer = row[column: 5]; int = row[column: 6]; real = row[column: 7]
            yes = row[column: 8]; no = row[column: 9]; noReal = row[column: 10]; someReal = row[column: 11]
        }
    }

    func test_statementRowsReadWhatGRDBReads() throws {
        let temporary = try TemporaryStore()
        let direct = try temporary.store.readers.read { reader in
            try DirectStatement(reader, sql: Self.values).fetchOne { Values($0) }
        }
        let grdb = try temporary.store.pool.read { db in try Row.fetchOne(db, sql: Self.values).map { Values($0) } }
        let read = try XCTUnwrap(direct)
        XCTAssertEqual(read, grdb)
        XCTAssertNil(read.null)
        XCTAssertEqual(read.empty, "")
        XCTAssertEqual(read.unicode, "olá 👋 \"aspas\"")
        XCTAssertEqual(read.long, "dezesseis bytes.")
        XCTAssertEqual(read.integer, 42); XCTAssertEqual(read.int, -7); XCTAssertEqual(read.real, 1.5)
        XCTAssertTrue(read.yes); XCTAssertFalse(read.no)
        XCTAssertNil(read.noReal)
        XCTAssertEqual(read.someReal, 1_764_400_000.75)
    }

    /// GRDB measures text up to its first NUL byte; a statement's row reads its whole length.
    func test_textWithANulByteIsReadWhole() throws {
        let temporary = try TemporaryStore()
        let text: String? = try temporary.store.readers.read { reader in
            try DirectStatement(reader, sql: "SELECT 'x' || char(0) || 'y'").fetchOne { row -> String in row[column: 0] }
        }
        XCTAssertEqual(text, "x\u{0}y")
    }
}
