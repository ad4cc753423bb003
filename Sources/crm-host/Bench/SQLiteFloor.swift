import CRMCore
import CRMStore
import CSQLiteLogWriter
import Foundation
import GRDBSQLite

/// The floor of the pipeline benchmark: the rows one answered message costs,
/// written by a plain loop over the sqlite3 C API in batched transactions on a
/// database with the same schema — no scripts, no Swift records, no async.
struct SQLiteFloor {
    struct Failure: Error, CustomStringConvertible { var description: String }

    /// Which rows a reply costs.
    enum Rows: String, CaseIterable {
        /// As the benchmark's issue defines the floor: a duplicate check, then
        /// the reply with an outbox row, inserted and deleted once sent.
        case outbox
        /// As the pipeline writes them: the inbound insert is the duplicate
        /// check, and the reply's row keeps its content until it is sent.
        case message
    }

    /// Which SQLite file system the floor's connection writes through.
    enum FileSystem: String, CaseIterable {
        /// SQLite's own (`unix`): the plain loop the issue names.
        case plain
        /// The one the store installs, which writes each commit's log frames in one call.
        case logWriter = "log-writer"

        var vfsName: String { self == .plain ? "unix" : String(cString: crm_log_writer_name()) }
    }

    /// - Parameters:
    ///   - path: a migrated database holding the instances and one conversation per `conversations` entry.
    ///   - conversations: the conversations the messages cycle through, with their instance and phone.
    ///   - durability: whether each commit syncs the log, as the store's connections do.
    /// - Returns: messages per second.
    static func run(path: String, conversations: [BenchConversation], messages: Int, batch: Int,
                    rows: Rows = .outbox, fileSystem: FileSystem = .plain,
                    durability: StoreDurability = .full) throws -> Double {
        _ = crm_sqlite_settings_apply()  // as the store has them, should the floor open SQLite first
        var db: OpaquePointer?
        guard sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, fileSystem.vfsName) == SQLITE_OK, let db else {
            throw Failure(description: "cannot open \(path)")
        }
        defer { sqlite3_close_v2(db) }
        try exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = \(durability.synchronousPragma); PRAGMA foreign_keys = ON; PRAGMA cache_size = -65536")
        let statements = try [
            "SELECT id FROM messages WHERE instance_id = ?1 AND whatsapp_message_id = ?2",
            "SELECT id FROM conversations WHERE instance_id = ?1 AND contact_phone = ?2",
            """
            UPDATE conversations SET last_message_at = max(last_message_at, ?2), last_inbound_at = ?2,
              unread_count = unread_count + 1 WHERE id = ?1
            """,
            """
            INSERT INTO messages(instance_id, conversation_id, whatsapp_message_id, direction, sender, content, created_at)
            VALUES (?1, ?2, ?3, 'in', ?4, ?5, ?6)
            """,
            """
            INSERT INTO messages(instance_id, conversation_id, direction, content, status, created_at)
            VALUES (?1, ?2, 'out', ?3, 'queued', ?4)
            """,
            """
            INSERT INTO outbox(instance_id, conversation_id, message_id, recipient, content, next_attempt_at, created_at)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)
            """,
            "UPDATE messages SET status = 'sent', whatsapp_message_id = ?2 WHERE id = ?1",
            "DELETE FROM outbox WHERE id = ?1",
            """
            INSERT INTO messages(instance_id, conversation_id, whatsapp_message_id, direction, sender, content, created_at)
            VALUES (?1, ?2, ?3, 'in', ?4, ?5, ?6)
            ON CONFLICT(instance_id, whatsapp_message_id) WHERE whatsapp_message_id IS NOT NULL DO NOTHING
            """,
            """
            INSERT INTO messages(instance_id, conversation_id, direction, content, status, created_at, outgoing)
            VALUES (?1, ?2, 'out', ?3, 'queued', ?4, ?5)
            """,
            "UPDATE messages SET status = 'sent', whatsapp_message_id = ?2, outgoing = NULL WHERE id = ?1",
        ].map { try prepare(db, $0) }
        defer { statements.forEach { sqlite3_finalize($0) } }
        let (dedupe, findConversation, touch, insertInbound, insertOutbound, insertOutbox, markSent, deleteOutbox) =
            (statements[0], statements[1], statements[2], statements[3], statements[4], statements[5], statements[6], statements[7])
        let (insertInboundUnlessStored, insertKeptOutbound, markKeptSent) = (statements[8], statements[9], statements[10])
        let started = ContinuousClock.now
        var index = 0
        while index < messages {
            try exec(db, "BEGIN IMMEDIATE")
            for _ in 0..<min(batch, messages - index) {
                let target = conversations[index % conversations.count]
                let (instance, conversation, phone) = (target.instance, target.conversation, target.phone)
                let whatsappID = "floor-\(index)"
                let text = "m\(index)"
                let now = Date().timeIntervalSince1970
                let reply = "re:" + text
                let content = "{\"text\":\"\(reply)\"}"
                switch rows {
                case .outbox:
                    try step(dedupe, [.text(instance), .text(whatsappID)])
                    try step(findConversation, [.text(instance), .text(phone)])
                    try step(touch, [.integer(conversation), .real(now)])
                    try step(insertInbound, [.text(instance), .integer(conversation), .text(whatsappID), .text(phone),
                                             .text(text), .real(now)])
                    try step(insertOutbound, [.text(instance), .integer(conversation), .text(reply), .real(now)])
                    let outbound = sqlite3_last_insert_rowid(db)
                    try step(insertOutbox, [.text(instance), .integer(conversation), .integer(outbound), .text(phone),
                                            .text(content), .real(now)])
                    let outboxID = sqlite3_last_insert_rowid(db)
                    try step(touch, [.integer(conversation), .real(now)])
                    try step(markSent, [.integer(outbound), .text("floor-sent-\(index)")])
                    try step(deleteOutbox, [.integer(outboxID)])
                case .message:
                    try step(findConversation, [.text(instance), .text(phone)])
                    try step(touch, [.integer(conversation), .real(now)])
                    try step(insertInboundUnlessStored, [.text(instance), .integer(conversation), .text(whatsappID),
                                                         .text(phone), .text(text), .real(now)])
                    try step(insertKeptOutbound, [.text(instance), .integer(conversation), .text(reply), .real(now),
                                                  .text(content)])
                    let outbound = sqlite3_last_insert_rowid(db)
                    try step(touch, [.integer(conversation), .real(now)])
                    try step(markKeptSent, [.integer(outbound), .text("floor-sent-\(index)")])
                }
                index += 1
            }
            try exec(db, "COMMIT")
        }
        let elapsed = ContinuousClock.now - started
        return Double(messages) / elapsed.seconds
    }

    private enum Value { case text(String), integer(Int64), real(Double) }

    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    private static func step(_ statement: OpaquePointer, _ values: [Value]) throws {
        sqlite3_reset(statement)
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            switch value {
            case .text(let text): sqlite3_bind_text(statement, index, text, -1, transient)
            case .integer(let integer): sqlite3_bind_int64(statement, index, integer)
            case .real(let real): sqlite3_bind_double(statement, index, real)
            }
        }
        var code = sqlite3_step(statement)
        while code == SQLITE_ROW { code = sqlite3_step(statement) }
        guard code == SQLITE_DONE else {
            throw Failure(description: String(cString: sqlite3_errmsg(sqlite3_db_handle(statement))))
        }
    }

    private static func prepare(_ db: OpaquePointer, _ sql: String) throws -> OpaquePointer {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw Failure(description: String(cString: sqlite3_errmsg(db)))
        }
        return statement
    }

    private static func exec(_ db: OpaquePointer, _ sql: String) throws {
        guard sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK else {
            throw Failure(description: String(cString: sqlite3_errmsg(db)))
        }
    }
}
