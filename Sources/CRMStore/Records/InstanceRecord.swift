import CRMCore
import Foundation
import GRDB

/// One WhatsApp number of a company (SPEC §3).
public struct InstanceRecord: Sendable, Equatable, FetchableRecord, TableRecord {
    public static let databaseTableName = "instances"
    public var id: InstanceID
    public var companyID: Int64
    public var name: String
    /// Digits; nil until paired.
    public var phoneNumber: String?
    public var status: InstanceStatus
    public var qrCode: String?
    /// `sim`, `cloud`, `evolution`.
    public var connector: String
    /// The connector's settings (secrets included: never put this in an API answer as is).
    public var config: JSONValue
    public var createdAt: Date
    public var updatedAt: Date

    public init(row: Row) throws {
        id = row["id"]; companyID = row["company_id"]; name = row["name"]; phoneNumber = row["phone_number"]
        let statusText: String = row["status"]
        status = InstanceStatus(rawValue: statusText) ?? .failed
        qrCode = row["qr_code"]; connector = row["connector"]
        let configText: String = row["config"]
        config = (try? JSONDecoder().decode(JSONValue.self, from: Data(configText.utf8))) ?? .object([:])
        createdAt = Date(storeTime: row["created_at"]); updatedAt = Date(storeTime: row["updated_at"])
    }

    /// What the instance's scripts see as `crm.instance`.
    public var info: InstanceInfo { InstanceInfo(id: id, name: name, phoneNumber: phoneNumber) }
}
