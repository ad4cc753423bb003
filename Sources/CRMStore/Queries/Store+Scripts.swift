import CRMCore
import Foundation
import GRDB

/// One recorded script failure, with where it happened.
public struct ScriptErrorRecord: Sendable, Equatable, FetchableRecord {
    public var id: Int64
    public var instanceID: InstanceID
    /// The event being handled: message, status, timer, connection.
    public var event: String
    public var failure: ScriptFailure
    public var createdAt: Date

    public init(row: Row) {
        id = row["id"]; instanceID = row["instance_id"]; event = row["event"]
        failure = ScriptFailure(kind: row["kind"], message: row["message"], file: row["file"], line: row["line"],
                                traceback: row["traceback"])
        createdAt = Date(storageSeconds: row["created_at"])
    }
}

extension CRMStore {
    /// An instance's latest script failures, newest first.
    public func scriptErrors(instance: InstanceID, limit: Int = 50) throws -> [ScriptErrorRecord] {
        try pool.read { db in
            try ScriptErrorRecord.fetchAll(db, sql: "SELECT * FROM script_errors WHERE instance_id = ? ORDER BY id DESC LIMIT ?",
                                           arguments: [instance.lowercased(), limit])
        }
    }

    /// A script's stored value (`crm.kv.get`), scoped to its instance.
    public func kv(_ key: String, instance: InstanceID) throws -> JSONValue? {
        try pool.read { db in
            try String.fetchOne(db, sql: "SELECT value FROM kv WHERE instance_id = ? AND key = ?",
                                arguments: [instance.lowercased(), key])
                .map { try JSONReader.parse($0.utf8) }
        }
    }
}
