import CRMCore
import Foundation
import GRDB

/// `ScriptContext` backed by the open write transaction, so a script sees the
/// kv writes of earlier events of the same batch. Scoped to one instance: a
/// conversation of another instance reads as nil.
struct StoreScriptContext: ScriptContext {
    let transaction: StoreTransaction
    let instance: InstanceInfo
    let now: Date

    private var db: Database { transaction.db }

    func kv(_ key: String) -> JSONValue? {
        guard let text = try? DirectStatement(db, sql: "SELECT value FROM kv WHERE instance_id = ? AND key = ?")
            .fetchOne(instance.id, key, read: { row -> String in row[column: 0] }) else { return nil }
        return try? JSONReader.parse(text.utf8)
    }

    func conversation(_ id: ConversationID) -> ConversationView? {
        try? transaction.settleTouch()
        guard let record = try? ConversationRecord.fetch(db, id: id), record.instanceID == instance.id else { return nil }
        return record.view(tags: (try? ConversationRecord.tags(db, conversation: id)) ?? [])
    }

    /// From the transaction's routes: the event's own conversation was routed
    /// when its message was stored, so a reply reads nothing.
    func owns(_ id: ConversationID) -> Bool {
        (try? transaction.route(id))?.instanceID == instance.id
    }
}
