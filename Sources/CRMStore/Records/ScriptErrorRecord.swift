import CRMCore
import Foundation
import GRDB

/// A failed script run, kept for the API and the inbox (SPEC §6).
public struct ScriptErrorRecord: Sendable, Equatable, FetchableRecord, TableRecord {
    public static let databaseTableName = "script_errors"
    public var id: Int64
    public var instanceID: InstanceID
    /// The event's handler name: message, status, connection, timer.
    public var event: String
    public var failure: ScriptFailure
    public var at: Date

    public init(row: Row) throws {
        id = row["id"]; instanceID = row["instance_id"]; event = row["event"]
        failure = ScriptFailure(kind: row["kind"], message: row["message"], file: row["file"], line: row["line"],
                                traceback: row["traceback"])
        at = Date(storeTime: row["at"])
    }
}
