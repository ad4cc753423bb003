import CRMCore
import Foundation
import GRDB

/// One WhatsApp number of a company (SPEC §3). `config` holds the connector's
/// settings as JSON; secrets in it never leave through the API layer.
public struct InstanceRecord: Sendable, Equatable, FetchableRecord {
    public var id: InstanceID
    public var companyID: Int64
    public var name: String
    public var phoneNumber: String?
    public var status: InstanceStatus
    public var qrCode: String?
    public var connector: String
    public var config: [String: JSONValue]
    public var createdAt: Date
    public var updatedAt: Date

    public init(row: Row) {
        id = row["id"]; companyID = row["company_id"]; name = row["name"]; phoneNumber = row["phone_number"]
        status = InstanceStatus(rawValue: row["status"]) ?? .disconnected
        qrCode = row["qr_code"]; connector = row["connector"]
        let configText: String = row["config"]
        config = (try? JSONDecoder().decode([String: JSONValue].self, from: Data(configText.utf8))) ?? [:]
        createdAt = Date(storageSeconds: row["created_at"]); updatedAt = Date(storageSeconds: row["updated_at"])
    }

    /// What scripts see of it.
    public var info: InstanceInfo { InstanceInfo(id: id, name: name, phoneNumber: phoneNumber) }

    static func fetch(_ db: Database, id: InstanceID) throws -> InstanceRecord? {
        try fetchOne(db, cachedSQL: "SELECT * FROM instances WHERE id = ?", arguments: [id])
    }
}

extension FetchableRecord {
    static func fetchOne(_ db: Database, cachedSQL sql: String, arguments: StatementArguments) throws -> Self? {
        try fetchOne(db.cachedStatement(sql: sql), arguments: arguments)
    }
}
