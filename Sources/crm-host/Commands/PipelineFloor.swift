import CRMStore
import Foundation
import GRDBSQLite

/// The floor of `bench pipeline`: the rows the pipeline writes for one
/// message with a reply (the inbound message, its conversation, the reply and
/// its outbox row, then the reply marked sent and its outbox row removed),
/// written by a plain loop over the sqlite3 C API, in batched transactions,
/// with the same schema and pragmas.
struct PipelineFloor {
    let folder: URL
    let instances: Int
    let messages: Int
    let batch: Int

    /// Returns messages per second.
    func run() throws -> Double {
        let store = try Store(folder: folder)
        let company = try store.createCompany(name: "floor")
        let instanceIDs = try (0..<instances).map { try store.createInstance(companyID: company.id, name: "floor-\($0)").id }
        let path = store.path

        var db: OpaquePointer?
        guard sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, nil) == SQLITE_OK, let db else {
            throw FloorError(message: "cannot open \(path)")
        }
        defer { sqlite3_close_v2(db) }
        try exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON")

        let upsertConversation = try prepare(db, """
            INSERT INTO conversations (instance_id, company_id, contact_id, contact_phone, last_message_at, last_inbound_at,
                                       unread_count, created_at)
            VALUES (?1, ?2, ?3, ?3, ?4, ?4, 1, ?4)
            ON CONFLICT (instance_id, contact_id) DO UPDATE SET last_message_at = excluded.last_message_at,
                last_inbound_at = excluded.last_inbound_at, unread_count = unread_count + 1
            RETURNING id
            """)
        let insertInbound = try prepare(db, """
            INSERT INTO messages (conversation_id, instance_id, whatsapp_message_id, direction, content, status, created_at)
            VALUES (?, ?, ?, 'in', ?, 'received', ?)
            """)
        let insertReply = try prepare(db, """
            INSERT INTO messages (conversation_id, instance_id, direction, content, status, created_at)
            VALUES (?, ?, 'out', ?, 'queued', ?)
            """)
        let insertOutbox = try prepare(db, """
            INSERT INTO outbox (message_id, instance_id, conversation_id, idempotency_key, recipient, is_group, content,
                                next_attempt_at, created_at)
            VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?)
            """)
        let markSent = try prepare(db, "UPDATE messages SET status = 'sent', whatsapp_message_id = ? WHERE id = ?")
        let deleteOutbox = try prepare(db, "DELETE FROM outbox WHERE id = ?")
        defer {
            for statement in [upsertConversation, insertInbound, insertReply, insertOutbox, markSent, deleteOutbox] {
                sqlite3_finalize(statement)
            }
        }

        let start = ContinuousClock.now
        var number = 0
        while number < messages {
            let end = min(number + batch, messages)
            var sent: [(message: Int64, outbox: Int64, key: String)] = []
            try exec(db, "BEGIN IMMEDIATE")
            for current in number..<end {
                let instance = instanceIDs[current % instances]
                let contact = "55218\(String(format: "%08d", (current / instances) % 50))"
                let now = Date().timeIntervalSince1970
                let text = String(current)
                try step(upsertConversation, [.text(instance), .integer(company.id), .text(contact), .real(now)], expectRow: true)
                let conversation = sqlite3_column_int64(upsertConversation, 0)
                sqlite3_reset(upsertConversation)
                try step(insertInbound, [.integer(conversation), .text(instance), .text("in-\(current)"), .text(text), .real(now)])
                try step(insertReply, [.integer(conversation), .text(instance), .text("re: " + text), .real(now)])
                let reply = sqlite3_last_insert_rowid(db)
                let key = UUID().uuidString.lowercased()
                try step(insertOutbox, [.integer(reply), .text(instance), .integer(conversation), .text(key), .text(contact),
                                        .text("{\"text\":\"re: \(text)\"}"), .real(now), .real(now)])
                sent.append((reply, sqlite3_last_insert_rowid(db), key))
            }
            try exec(db, "COMMIT")
            try exec(db, "BEGIN IMMEDIATE")
            for row in sent {
                try step(markSent, [.text("sent-" + row.key), .integer(row.message)])
                try step(deleteOutbox, [.integer(row.outbox)])
            }
            try exec(db, "COMMIT")
            number = end
        }
        let elapsed = ContinuousClock.now - start
        return Double(messages) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    private enum Value { case integer(Int64), real(Double), text(String) }

    private func exec(_ db: OpaquePointer, _ sql: String) throws {
        guard sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK else {
            throw FloorError(message: String(cString: sqlite3_errmsg(db)))
        }
    }

    private func prepare(_ db: OpaquePointer, _ sql: String) throws -> OpaquePointer {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw FloorError(message: String(cString: sqlite3_errmsg(db)))
        }
        return statement
    }

    private func step(_ statement: OpaquePointer, _ values: [Value], expectRow: Bool = false) throws {
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        for (index, value) in values.enumerated() {
            let position = Int32(index + 1)
            switch value {
            case .integer(let integer): sqlite3_bind_int64(statement, position, integer)
            case .real(let real): sqlite3_bind_double(statement, position, real)
            case .text(let text): sqlite3_bind_text(statement, position, text, -1, transient)
            }
        }
        let result = sqlite3_step(statement)
        guard result == (expectRow ? SQLITE_ROW : SQLITE_DONE) else {
            throw FloorError(message: String(cString: sqlite3_errmsg(sqlite3_db_handle(statement))))
        }
        if !expectRow { sqlite3_reset(statement) }
    }
}

struct FloorError: Error, CustomStringConvertible {
    var message: String
    var description: String { "floor: \(message)" }
}
