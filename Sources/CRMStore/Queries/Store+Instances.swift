import CRMCore
import Foundation
import GRDB

extension Store {
    /// Creates an instance of a company, `DISCONNECTED` and without a number.
    /// - Parameters:
    ///   - companyID: the owner.
    ///   - name: how people and the scripts folder name it.
    ///   - connector: `sim`, `cloud` or `evolution`.
    ///   - config: the connector's settings.
    public func createInstance(companyID: Int64, name: String, connector: String = "sim",
                               config: JSONValue = .object([:])) throws -> InstanceRecord {
        let name = name.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { throw StoreError.invalid(field: "name", reason: "an instance needs a name") }
        let id = UUID().uuidString.lowercased()
        let configText = try JSONText.encode(config)
        return try pool.write { db in
            guard try Int.fetchOne(db, sql: "SELECT 1 FROM companies WHERE id = ?", arguments: [companyID]) != nil else {
                throw StoreError.notFound(kind: "company", id: String(companyID))
            }
            let now = Date().storeTime
            try db.execute(sql: """
                INSERT INTO instances (id, company_id, name, connector, config, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [id, companyID, name, connector, configText, now, now])
            return try Self.instance(db, id: id)!
        }
    }

    /// The company's instances, oldest first.
    public func instances(companyID: Int64) throws -> [InstanceRecord] {
        try pool.read { db in
            try InstanceRecord.fetchAll(db, sql: "SELECT * FROM instances WHERE company_id = ? ORDER BY created_at, id",
                                        arguments: [companyID])
        }
    }

    /// Every instance of every company: what the host reconnects at start.
    public func allInstances() throws -> [InstanceRecord] {
        try pool.read { db in try InstanceRecord.fetchAll(db, sql: "SELECT * FROM instances ORDER BY created_at, id") }
    }

    /// An instance of the company; another company's is not found (SPEC §2.6).
    public func instance(id: InstanceID, companyID: Int64) throws -> InstanceRecord {
        let found = try pool.read { db in
            try InstanceRecord.fetchOne(db, sql: "SELECT * FROM instances WHERE id = ? AND company_id = ?",
                                        arguments: [id, companyID])
        }
        guard let found else { throw StoreError.notFound(kind: "instance", id: id) }
        return found
    }

    /// An instance by id, whatever its company: for the session layer, never for API callers.
    public func instance(id: InstanceID) throws -> InstanceRecord? {
        try pool.read { db in try Self.instance(db, id: id) }
    }

    /// Renames an instance of the company.
    public func renameInstance(id: InstanceID, companyID: Int64, name: String) throws -> InstanceRecord {
        let name = name.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { throw StoreError.invalid(field: "name", reason: "an instance needs a name") }
        return try pool.write { db in
            try db.execute(sql: "UPDATE instances SET name = ?, updated_at = ? WHERE id = ? AND company_id = ?",
                           arguments: [name, Date().storeTime, id, companyID])
            guard db.changesCount > 0, let record = try Self.instance(db, id: id) else {
                throw StoreError.notFound(kind: "instance", id: id)
            }
            return record
        }
    }

    /// Deletes an instance of the company with everything it owns: credentials,
    /// conversations, messages, tags, kv, timers, outbox (SPEC §2.1).
    public func deleteInstance(id: InstanceID, companyID: Int64) throws {
        try pool.write { db in
            try db.execute(sql: "DELETE FROM instances WHERE id = ? AND company_id = ?", arguments: [id, companyID])
            if db.changesCount == 0 { throw StoreError.notFound(kind: "instance", id: id) }
        }
    }

    /// Records a session state. Leaving `CONNECTED` keeps the number (it is
    /// shown until another pairing); `qrCode` is kept only in the `QR` state.
    /// - Parameters:
    ///   - id: the instance.
    ///   - status: the new state; use `claimPhoneNumber` to become `CONNECTED` with a number.
    ///   - qrCode: the current QR text while pairing.
    public func updateInstanceStatus(id: InstanceID, status: InstanceStatus, qrCode: String? = nil) throws {
        try pool.write { db in
            try db.execute(sql: "UPDATE instances SET status = ?, qr_code = ?, updated_at = ? WHERE id = ?",
                           arguments: [status.rawValue, status == .qr ? qrCode : nil, Date().storeTime, id])
            if db.changesCount == 0 { throw StoreError.notFound(kind: "instance", id: id) }
        }
    }

    /// Marks an instance `CONNECTED` with a number, in one transaction that
    /// first checks no other instance has that number connected (SPEC §2.4).
    /// - Throws: `StoreError.phoneNumberInUse` naming the instance that holds it;
    ///   then nothing changes on either instance.
    public func claimPhoneNumber(instanceID: InstanceID, phoneNumber: String) throws -> InstanceRecord {
        let digits = PhoneNumber.digits(phoneNumber)
        guard !digits.isEmpty else { throw StoreError.invalid(field: "phone_number", reason: "a phone number needs digits") }
        return try pool.write { db in
            if let holder = try InstanceRecord.fetchOne(db, sql: """
                SELECT * FROM instances WHERE phone_number = ? AND status = 'CONNECTED' AND id != ? LIMIT 1
                """, arguments: [digits, instanceID]) {
                throw StoreError.phoneNumberInUse(phoneNumber: digits, instanceID: holder.id, instanceName: holder.name)
            }
            try db.execute(sql: """
                UPDATE instances SET phone_number = ?, status = 'CONNECTED', qr_code = NULL, updated_at = ? WHERE id = ?
                """, arguments: [digits, Date().storeTime, instanceID])
            guard db.changesCount > 0, let record = try Self.instance(db, id: instanceID) else {
                throw StoreError.notFound(kind: "instance", id: instanceID)
            }
            return record
        }
    }

    /// The instance that has this number connected, if any.
    public func connectedInstance(phoneNumber: String) throws -> InstanceRecord? {
        try pool.read { db in
            try InstanceRecord.fetchOne(db, sql: "SELECT * FROM instances WHERE phone_number = ? AND status = 'CONNECTED'",
                                        arguments: [PhoneNumber.digits(phoneNumber)])
        }
    }

    static func instance(_ db: Database, id: InstanceID) throws -> InstanceRecord? {
        try InstanceRecord.fetchOne(db, sql: "SELECT * FROM instances WHERE id = ?", arguments: [id])
    }
}
