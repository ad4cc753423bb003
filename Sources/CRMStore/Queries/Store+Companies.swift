import Crypto
import Foundation
import GRDB

/// A freshly created API key: the only moment its plaintext exists.
public struct CreatedAPIKey: Sendable {
    public var record: APIKeyRecord
    /// Show it once; only its hash is stored.
    public var plaintext: String
}

extension Store {
    /// Creates a company.
    /// - Parameter name: unique, non-empty.
    public func createCompany(name: String) throws -> CompanyRecord {
        let name = name.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { throw StoreError.invalid(field: "name", reason: "a company needs a name") }
        return try pool.write { db in
            if try CompanyRecord.fetchOne(db, sql: "SELECT * FROM companies WHERE name = ?", arguments: [name]) != nil {
                throw StoreError.companyExists(name: name)
            }
            try db.execute(sql: "INSERT INTO companies (name, created_at) VALUES (?, ?)",
                           arguments: [name, Date().storeTime])
            return try CompanyRecord.fetchOne(db, sql: "SELECT * FROM companies WHERE id = ?",
                                              arguments: [db.lastInsertedRowID])!
        }
    }

    /// The company of this name, if any.
    public func company(named name: String) throws -> CompanyRecord? {
        try pool.read { db in
            try CompanyRecord.fetchOne(db, sql: "SELECT * FROM companies WHERE name = ?", arguments: [name])
        }
    }

    /// Creates an API key for a company and returns its plaintext once.
    /// - Parameters:
    ///   - companyID: the owner.
    ///   - name: a label for people (“ci”, “admin”).
    ///   - plaintext: a key chosen by the operator (`CRM_BOOTSTRAP_KEY`); a random one when nil.
    public func createAPIKey(companyID: Int64, name: String, plaintext: String? = nil) throws -> CreatedAPIKey {
        let key = plaintext ?? Self.randomKey()
        guard key.count >= 16 else { throw StoreError.invalid(field: "key", reason: "an API key needs at least 16 characters") }
        let record = try pool.write { db in
            guard try Int.fetchOne(db, sql: "SELECT 1 FROM companies WHERE id = ?", arguments: [companyID]) != nil else {
                throw StoreError.notFound(kind: "company", id: String(companyID))
            }
            try db.execute(sql: "INSERT INTO api_keys (company_id, name, hash, created_at) VALUES (?, ?, ?, ?)",
                           arguments: [companyID, name, Self.hash(key), Date().storeTime])
            return try APIKeyRecord.fetchOne(db, sql: "SELECT * FROM api_keys WHERE id = ?",
                                             arguments: [db.lastInsertedRowID])!
        }
        return CreatedAPIKey(record: record, plaintext: key)
    }

    /// The live (not revoked) key with this plaintext, if any: how requests authenticate.
    public func apiKey(plaintext: String) throws -> APIKeyRecord? {
        try pool.read { db in
            try APIKeyRecord.fetchOne(db, sql: "SELECT * FROM api_keys WHERE hash = ? AND revoked_at IS NULL",
                                      arguments: [Self.hash(plaintext)])
        }
    }

    /// Revokes a key of the company; another company's key is not found.
    public func revokeAPIKey(id: Int64, companyID: Int64) throws {
        try pool.write { db in
            try db.execute(sql: "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND company_id = ? AND revoked_at IS NULL",
                           arguments: [Date().storeTime, id, companyID])
            if db.changesCount == 0 { throw StoreError.notFound(kind: "api key", id: String(id)) }
        }
    }

    /// The SHA-256 of a key, hex: what `api_keys.hash` holds.
    public static func hash(_ key: String) -> String {
        SHA256.hash(data: Data(key.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    private static func randomKey() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return "crm_" + bytes.map { String(format: "%02x", $0) }.joined()
    }
}
