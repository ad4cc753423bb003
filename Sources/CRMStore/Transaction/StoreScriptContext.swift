import CRMCore
import Foundation
import GRDB

/// The `ScriptContext` of the pipeline: reads go to the open write
/// transaction, so an event sees the kv writes of the events before it in the
/// same batch.
final class StoreScriptContext: ScriptContext {
    let db: Database
    let instance: InstanceInfo
    let now: Date

    init(db: Database, instance: InstanceInfo, now: Date) {
        self.db = db; self.instance = instance; self.now = now
    }

    func kv(_ key: String) -> JSONValue? {
        guard let text = try? String.fetchOne(db, sql: "SELECT value FROM kv WHERE instance_id = ? AND key = ?",
                                              arguments: [instance.id, key]) else { return nil }
        return try? JSONText.decode(JSONValue.self, from: text)
    }

    func conversation(_ id: ConversationID) -> ConversationView? {
        guard let record = try? ConversationRecord.fetchOne(db, sql: """
            SELECT * FROM conversations WHERE id = ? AND instance_id = ?
            """, arguments: [id, instance.id]) else { return nil }
        let tags = (try? Store.tags(db, conversationIDs: [id]))?[id] ?? []
        return record.view(tags: tags)
    }
}
