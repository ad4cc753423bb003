import CRMCore
import GRDB
import XCTest
@testable import CRMStore

final class MigrationTests: XCTestCase {
    func test_freshDatabaseHasEveryNamedMigrationAndTable() throws {
        let temporary = try TemporaryStore()
        XCTAssertEqual(try temporary.store.appliedMigrations(), [
            "v1-companies-and-keys", "v1-instances-and-credentials", "v1-conversations-and-messages",
            "v1-tags", "v1-script-state", "v1-outbox", "v2-outbox-ids-never-reused",
            "v3-sends-kept-by-their-message",
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
        XCTAssertEqual(synchronous, 2, "FULL: commits are synced before they are acknowledged")
    }

    func test_reopeningKeepsDataAndAppliesNothingTwice() throws {
        let temporary = try TemporaryStore()
        let company = try temporary.store.createCompany(name: "Acme")
        try temporary.reopen()
        XCTAssertEqual(try temporary.store.companies().map(\.name), ["Acme"])
        XCTAssertEqual(try temporary.store.appliedMigrations().count, 8)
        XCTAssertEqual(company.id, try temporary.store.companies().first?.id)
    }
}

final class OutboxMigrationTests: XCTestCase {
    /// A database of the first schema, with a send still waiting, upgraded:
    /// the waiting send keeps its key, and new sends get keys unlike every
    /// one that may already have been handed out.
    func test_upgradedOutboxKeepsWaitingSendsAndNeverReusesAKey() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("crm-upgrade-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        do {
            let old = try DatabaseQueue(path: folder.appendingPathComponent("crm.sqlite").path)
            try Schema.migrator.migrate(old, upTo: "v1-outbox")
            try old.write { db in
                try db.execute(sql: """
                    INSERT INTO companies(id, name, created_at) VALUES (1, 'Acme', 0);
                    INSERT INTO instances(id, company_id, name, created_at, updated_at) VALUES ('i1', 1, 'vendas', 0, 0);
                    INSERT INTO conversations(id, instance_id, company_id, contact_id, last_message_at, created_at)
                        VALUES (1, 'i1', 1, '5511977770000', 0, 0);
                    INSERT INTO messages(id, instance_id, conversation_id, direction, content, created_at)
                        VALUES (40, 'i1', 1, 'out', 'already sent', 0), (41, 'i1', 1, 'out', 'waiting', 0);
                    INSERT INTO outbox(id, instance_id, conversation_id, message_id, recipient, content, next_attempt_at, created_at)
                        VALUES (7, 'i1', 1, 41, '5511977770000', '{"text":"waiting"}', 0, 0);
                    """)
            }
        }
        let store = try CRMStore(folder: folder)
        XCTAssertEqual(try store.appliedMigrations().last, "v3-sends-kept-by-their-message")
        let waiting = try store.transactionNow { try $0.claimDueSends(limit: 10) }.entries
        XCTAssertEqual(waiting.map(\.message.idempotencyKey), ["outbox-7"])
        _ = try store.queueOperatorSend(OutgoingContent(text: "new"), to: 1, company: 1)
        let fresh = try store.transactionNow { try $0.claimDueSends(limit: 10) }.entries
        XCTAssertEqual(fresh.count, 1)
        XCTAssertEqual(fresh[0].messageID, 42)
        XCTAssertTrue(fresh[0].message.idempotencyKey.hasPrefix("send-42-"),
                      "new keys are named apart from every `outbox-<id>` handed out before")
    }
}
