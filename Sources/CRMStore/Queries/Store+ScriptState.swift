import CRMCore
import Foundation
import GRDB

extension Store {
    /// A kv value of an instance, as scripts stored it.
    public func kv(instanceID: InstanceID, key: String) throws -> JSONValue? {
        try pool.read { db in
            try String.fetchOne(db, sql: "SELECT value FROM kv WHERE instance_id = ? AND key = ?", arguments: [instanceID, key])
                .map { try JSONText.decode(JSONValue.self, from: $0) }
        }
    }

    /// Timers due at `now`, earliest first, skipping `excluding` (already handed to the pipeline).
    public func dueTimers(now: Date, excluding: Set<Int64> = [], limit: Int = 500) throws -> [TimerRecord] {
        try pool.read { db in
            try TimerRecord.fetchAll(db, sql: "SELECT * FROM timers WHERE due_at <= ? ORDER BY due_at, id LIMIT ?",
                                     arguments: [now.storeTime, limit + excluding.count])
                .filter { !excluding.contains($0.id) }.prefix(limit).map { $0 }
        }
    }

    /// When the next timer is due, if any.
    public func nextTimerDue() throws -> Date? {
        try pool.read { db in
            try Double.fetchOne(db, sql: "SELECT MIN(due_at) FROM timers").map(Date.init(storeTime:))
        }
    }

    /// The latest script errors of an instance, newest first.
    public func scriptErrors(instanceID: InstanceID, limit: Int = 50) throws -> [ScriptErrorRecord] {
        try pool.read { db in
            try ScriptErrorRecord.fetchAll(db, sql: "SELECT * FROM script_errors WHERE instance_id = ? ORDER BY id DESC LIMIT ?",
                                           arguments: [instanceID, limit])
        }
    }

    /// How many runs of each event handler succeeded and failed, for metrics.
    public func scriptRunCounts(instanceID: InstanceID) throws -> [String: (succeeded: Int, failed: Int)] {
        try pool.read { db in
            var counts: [String: (succeeded: Int, failed: Int)] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT event, succeeded, failed FROM script_runs WHERE instance_id = ?",
                                        arguments: [instanceID]) {
                counts[row["event"]] = (row["succeeded"], row["failed"])
            }
            return counts
        }
    }
}
