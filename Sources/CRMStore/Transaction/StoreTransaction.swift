import CRMCore
import Foundation
import GRDB

/// One open write transaction, as the pipeline sees it: store an inbound
/// message, let scripts read, commit their actions, record outcomes. Everything
/// done through one value commits together or not at all.
///
/// Used only inside `CRMStore.transaction`; never kept after it returns.
public final class StoreTransaction {
    let db: Database
    private var instances: [InstanceID: InstanceRecord] = [:]

    init(db: Database) { self.db = db }

    /// The instance by id, read once per transaction.
    public func instance(_ id: InstanceID) throws -> InstanceRecord? {
        if let cached = instances[id] { return cached }
        let record = try InstanceRecord.fetch(db, id: id)
        instances[id] = record
        return record
    }

    /// Runs `body` so that when it throws, its writes are undone and the rest of
    /// the transaction stands.
    public func undoingOnFailure<T>(_ body: () throws -> T) throws -> T {
        var result: T?
        try db.inSavepoint {
            result = try body()
            return .commit
        }
        return result!
    }

    /// What scripts of `instance` may read, seeing this transaction's writes.
    public func scriptContext(for instance: InstanceRecord, now: Date) -> ScriptContext {
        StoreScriptContext(db: db, instance: instance.info, now: now)
    }

    /// Keeps a script failure for the API and the inbox (`script_errors`).
    public func recordScriptError(_ failure: ScriptFailure, instance: InstanceID, event: String, at now: Date) throws {
        try db.cachedStatement(sql: """
            INSERT INTO script_errors(instance_id, event, kind, message, file, line, traceback, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [instance, event, failure.kind, failure.message, failure.file, failure.line,
                                     failure.traceback, now.storageSeconds])
    }
}
