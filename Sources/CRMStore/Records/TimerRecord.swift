import CRMCore
import Foundation
import GRDB

/// A durable `crm.after` timer: deleted in the same transaction that runs its
/// event, so it fires exactly once, also across restarts.
public struct TimerRecord: Sendable, Equatable, FetchableRecord, TableRecord {
    public static let databaseTableName = "timers"
    public var id: Int64
    public var instanceID: InstanceID
    public var name: String
    public var payload: JSONValue
    public var dueAt: Date

    public init(row: Row) throws {
        id = row["id"]; instanceID = row["instance_id"]; name = row["name"]
        let payloadText: String = row["payload"]
        payload = try JSONDecoder().decode(JSONValue.self, from: Data(payloadText.utf8))
        dueAt = Date(storeTime: row["due_at"])
    }

    public var event: TimerEvent { TimerEvent(name: name, payload: payload, dueAt: dueAt) }
}
