import CRMCore
import Foundation
import GRDB

/// A durable `crm.after` timer: it survives restarts and fires once.
public struct TimerRecord: Sendable, Equatable, FetchableRecord {
    public var id: Int64
    public var instanceID: InstanceID
    public var name: String
    public var payload: JSONValue
    public var dueAt: Date

    public init(row: Row) {
        id = row["id"]; instanceID = row["instance_id"]; name = row["name"]
        let payloadText: String = row["payload"]
        payload = (try? JSONReader.parse(payloadText.utf8)) ?? .null
        dueAt = Date(storageSeconds: row["due_at"])
    }

    public var event: TimerEvent { TimerEvent(name: name, payload: payload, dueAt: dueAt) }
}

extension CRMStore {
    /// Timers due at `now`, earliest first.
    public func dueTimers(now: Date = Date(), limit: Int = 1000) throws -> [TimerRecord] {
        try pool.read { db in
            try TimerRecord.fetchAll(db, sql: "SELECT * FROM timers WHERE due_at <= ? ORDER BY due_at, id LIMIT ?",
                                     arguments: [now.storageSeconds, limit])
        }
    }

    /// When the next timer falls due, or nil when there is none.
    public func nextTimerDue() throws -> Date? {
        try pool.read { db in
            try Double.fetchOne(db, sql: "SELECT min(due_at) FROM timers").map(Date.init(storageSeconds:))
        }
    }
}

extension StoreTransaction {
    /// Removes a due timer so that it fires exactly once: the removal commits
    /// with the actions of its `timer` event.
    /// - Returns: nil when it already fired (or its instance is gone).
    public func takeTimer(_ id: Int64) throws -> TimerRecord? {
        guard let timer = try TimerRecord.fetchOne(db, cachedSQL: "SELECT * FROM timers WHERE id = ?", arguments: [id]) else {
            return nil
        }
        try db.cachedStatement(sql: "DELETE FROM timers WHERE id = ?").execute(arguments: [id])
        return timer
    }
}
