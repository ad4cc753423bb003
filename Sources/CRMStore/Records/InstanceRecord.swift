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

    /// The columns `init(row:)` reads, in its order (rows are decoded by position).
    static let columns = "id, company_id, name, phone_number, status, qr_code, connector, config, created_at, updated_at"

    /// A row that starts with `columns`.
    public init(row: Row) {
        id = row[0]; companyID = row[1]; name = row[2]; phoneNumber = row[3]
        status = InstanceStatus(rawValue: row[4]) ?? .disconnected
        qrCode = row[5]; connector = row[6]
        let configText: String = row[7]
        if case .object(let members)? = try? JSONReader.parse(configText.utf8) { config = members } else { config = [:] }
        createdAt = Date(storageSeconds: row[8]); updatedAt = Date(storageSeconds: row[9])
    }

    /// What scripts see of it.
    public var info: InstanceInfo { InstanceInfo(id: id, name: name, phoneNumber: phoneNumber) }

    static func fetch(_ db: Database, id: InstanceID) throws -> InstanceRecord? {
        try fetchOne(db, cachedSQL: "SELECT \(columns) FROM instances WHERE id = ?", arguments: [id])
    }
}

extension FetchableRecord {
    static func fetchOne(_ db: Database, cachedSQL sql: String, arguments: StatementArguments) throws -> Self? {
        try fetchOne(db.cachedStatement(sql: sql), arguments: arguments)
    }
}
