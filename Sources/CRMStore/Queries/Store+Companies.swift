import Crypto
import Foundation
import GRDB

/// A tenant (SPEC §2 point 6).
public struct CompanyRecord: Sendable, Equatable, FetchableRecord {
    public var id: Int64
    public var name: String
    public var createdAt: Date

    public init(row: Row) {
        id = row["id"]; name = row["name"]; createdAt = Date(storageSeconds: row["created_at"])
    }
}

/// An API key as it was created: the plaintext is shown this once and never stored.
public struct IssuedAPIKey: Sendable, Equatable {
    public var id: Int64
    public var companyID: Int64
    public var plaintext: String
}

extension CRMStore {
    public func createCompany(name: String, at now: Date = Date()) throws -> CompanyRecord {
        try pool.write { db in
            try db.execute(sql: "INSERT INTO companies(name, created_at) VALUES (?, ?)",
                           arguments: [name, now.storageSeconds])
            return try CompanyRecord.fetchOne(db, sql: "SELECT * FROM companies WHERE id = ?",
                                              arguments: [db.lastInsertedRowID])!
        }
    }

    public func companies() throws -> [CompanyRecord] {
        try pool.read { db in try CompanyRecord.fetchAll(db, sql: "SELECT * FROM companies ORDER BY id") }
    }

    /// Creates a key for a company; only its SHA-256 hash is stored.
    /// - Returns: the plaintext key, which cannot be recovered later.
    public func createAPIKey(company: Int64, name: String, at now: Date = Date()) throws -> IssuedAPIKey {
        var bytes = [UInt8](repeating: 0, count: 32)
        var generator = SystemRandomNumberGenerator()
        for index in bytes.indices { bytes[index] = generator.next() }
        let plaintext = "crm_" + bytes.map { String(format: "%02x", $0) }.joined()
        return try importAPIKey(plaintext, company: company, name: name, at: now)
    }

    /// Registers a key chosen outside (`CRM_BOOTSTRAP_KEY`); only its hash is stored.
    public func importAPIKey(_ plaintext: String, company: Int64, name: String, at now: Date = Date()) throws -> IssuedAPIKey {
        try pool.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM companies WHERE id = ?", arguments: [company]) != nil else {
                throw StoreError.companyNotFound(company)
            }
            try db.execute(sql: "INSERT INTO api_keys(company_id, name, hash, created_at) VALUES (?, ?, ?, ?)",
                           arguments: [company, name, Self.hash(key: plaintext), now.storageSeconds])
            return IssuedAPIKey(id: db.lastInsertedRowID, companyID: company, plaintext: plaintext)
        }
    }

    /// The company of a key, or nil when the key is unknown or revoked.
    public func company(forKey key: String) throws -> CompanyRecord? {
        let hash = Self.hash(key: key)
        if let company = keyCache.value(for: hash) { return company }
        let company = try pool.read { db in
            try CompanyRecord.fetchOne(db, cachedSQL: """
                SELECT companies.* FROM api_keys JOIN companies ON companies.id = api_keys.company_id
                WHERE api_keys.hash = ? AND api_keys.revoked_at IS NULL
                """, arguments: [hash])
        }
        if let company { keyCache.remember(company, for: hash) }
        return company
    }

    /// Revokes a key of the company; another company's key id is not found.
    public func revokeAPIKey(id: Int64, company: Int64, at now: Date = Date()) throws {
        try pool.write { db in
            try db.execute(sql: "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND company_id = ? AND revoked_at IS NULL",
                           arguments: [now.storageSeconds, id, company])
            if db.changesCount == 0 { throw StoreError.apiKeyNotFound(id) }
        }
        keyCache.forgetAll()
    }

    static func hash(key: String) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var hex: [UInt8] = []
        hex.reserveCapacity(64)
        for byte in SHA256.hash(data: Data(key.utf8)) {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 15)])
        }
        return String(decoding: hex, as: UTF8.self)
    }
}
