import Foundation
import GRDB

/// A tenant (SPEC §2.6): it owns instances and API keys.
public struct CompanyRecord: Sendable, Equatable, FetchableRecord, TableRecord {
    public static let databaseTableName = "companies"
    public var id: Int64
    public var name: String
    public var createdAt: Date

    public init(row: Row) throws {
        id = row["id"]; name = row["name"]; createdAt = Date(storeTime: row["created_at"])
    }
}

/// An API key as stored: its SHA-256 hash, never the key.
public struct APIKeyRecord: Sendable, Equatable, FetchableRecord, TableRecord {
    public static let databaseTableName = "api_keys"
    public var id: Int64
    public var companyID: Int64
    public var name: String
    public var hash: String
    public var createdAt: Date
    public var revokedAt: Date?

    public init(row: Row) throws {
        id = row["id"]; companyID = row["company_id"]; name = row["name"]; hash = row["hash"]
        createdAt = Date(storeTime: row["created_at"])
        revokedAt = (row["revoked_at"] as Double?).map(Date.init(storeTime:))
    }
}
