import CRMCore
import XCTest
@testable import CRMStore

final class MigrationTests: XCTestCase {
    func test_freshDatabaseHasEveryNamedMigrationAndTable() throws {
        let temporary = try TemporaryStore()
        XCTAssertEqual(try temporary.store.appliedMigrations(), [
            "v1-companies-and-keys", "v1-instances-and-credentials", "v1-conversations-and-messages",
            "v1-tags", "v1-script-state", "v1-outbox", "v2-outbox-ids-never-reused",
        ])
        let tables = try temporary.store.pool.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        }
        for table in ["companies", "api_keys", "instances", "credentials", "conversations", "messages", "tags",
                      "conversation_tags", "kv", "timers", "outbox", "script_errors"] {
            XCTAssertTrue(tables.contains(table), "missing table \(table)")
        }
    }

    func test_databaseIsWALWithForeignKeys() throws {
        let temporary = try TemporaryStore()
        let (mode, foreignKeys, synchronous) = try temporary.store.pool.write { db in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode")!, try Int.fetchOne(db, sql: "PRAGMA foreign_keys")!,
             try Int.fetchOne(db, sql: "PRAGMA synchronous")!)
        }
        XCTAssertEqual(mode, "wal")
        XCTAssertEqual(foreignKeys, 1)
        XCTAssertEqual(synchronous, 1, "NORMAL")
    }

    func test_reopeningKeepsDataAndAppliesNothingTwice() throws {
        let temporary = try TemporaryStore()
        let company = try temporary.store.createCompany(name: "Acme")
        try temporary.reopen()
        XCTAssertEqual(try temporary.store.companies().map(\.name), ["Acme"])
        XCTAssertEqual(try temporary.store.appliedMigrations().count, 7)
        XCTAssertEqual(company.id, try temporary.store.companies().first?.id)
    }
}
