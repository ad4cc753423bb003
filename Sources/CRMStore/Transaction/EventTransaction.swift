import CRMCore
import Foundation
import GRDB

/// One write transaction of the pipeline: what it may do to storage while it
/// handles a batch of events. Every change made through it commits together
/// with the events' processing marks, or not at all (SPEC §5).
///
/// The marks are the rows themselves: an inbound message's row (unique per
/// instance and WhatsApp id), a timer's deletion, a send's status change.
///
/// Used only inside `Store.transaction`, on the writer, never stored.
public final class EventTransaction {
    let db: Database
    private var instanceCache: [InstanceID: InstanceRecord?] = [:]
    private var runCounts: [ScriptRunKey: (succeeded: Int, failed: Int)] = [:]

    init(_ db: Database) { self.db = db }

    /// An instance, read once per transaction.
    public func instance(_ id: InstanceID) throws -> InstanceRecord? {
        if let cached = instanceCache[id] { return cached }
        let record = try Store.instance(db, id: id)
        instanceCache[id] = record
        return record
    }

    /// What the instance's scripts may read while this transaction runs: kv and
    /// conversations as written so far, earlier events of the batch included.
    public func scriptContext(for instance: InstanceRecord, now: Date) -> ScriptContext {
        StoreScriptContext(db: db, instance: instance.info, now: now)
    }

    /// Runs `work` in a savepoint: when it throws, its changes are undone and
    /// the rest of the transaction goes on.
    public func allOrNothing<T>(_ work: () throws -> T) throws -> T {
        var result: T?
        try db.inSavepoint {
            result = try work()
            return .commit
        }
        return result!
    }

    /// Counts a script run for `script_runs`; written once per batch by `finish`.
    public func countScriptRun(instanceID: InstanceID, event: String, failed: Bool) {
        let key = ScriptRunKey(instanceID: instanceID, event: event)
        var counts = runCounts[key] ?? (0, 0)
        if failed { counts.failed += 1 } else { counts.succeeded += 1 }
        runCounts[key] = counts
    }

    /// Records a failed script run (SPEC §6: reported in the log, the API, the inbox).
    public func recordScriptFailure(instanceID: InstanceID, event: String, failure: ScriptFailure, at: Date) throws {
        try db.execute(sql: """
            INSERT INTO script_errors (instance_id, event, kind, message, file, line, traceback, at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [instanceID, event, failure.kind, failure.message, failure.file, failure.line,
                             failure.traceback, at.storeTime])
    }

    /// Writes what the batch counted; the pipeline calls it last.
    public func finish(at now: Date) throws {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO script_runs (instance_id, event, succeeded, failed, last_run_at) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (instance_id, event) DO UPDATE SET succeeded = succeeded + excluded.succeeded,
                failed = failed + excluded.failed, last_run_at = excluded.last_run_at
            """)
        for (key, counts) in runCounts where instanceCache[key.instanceID] != nil {
            try statement.execute(arguments: [key.instanceID, key.event, counts.succeeded, counts.failed, now.storeTime])
        }
        runCounts = [:]
    }
}

private struct ScriptRunKey: Hashable {
    var instanceID: InstanceID
    var event: String
}
