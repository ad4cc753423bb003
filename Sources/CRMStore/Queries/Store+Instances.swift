import CRMCore
import Foundation
import GRDB

extension CRMStore {
    /// Creates an instance for a company, `DISCONNECTED` until paired.
    /// - Parameter id: a UUID; a fresh one when nil. Stored lowercased.
    public func createInstance(company: Int64, name: String, connector: String = "sim",
                               config: [String: JSONValue] = [:], id: InstanceID? = nil,
                               at now: Date = Date()) throws -> InstanceRecord {
        let instanceID = (id ?? UUID().uuidString).lowercased()
        let configText = String(decoding: try JSONEncoder().encode(config), as: UTF8.self)
        return try pool.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM companies WHERE id = ?", arguments: [company]) != nil else {
                throw StoreError.companyNotFound(company)
            }
            try db.execute(sql: """
                INSERT INTO instances(id, company_id, name, connector, config, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [instanceID, company, name, connector, configText, now.storageSeconds, now.storageSeconds])
            return try InstanceRecord.fetch(db, id: instanceID)!
        }
    }

    /// The company's instances, oldest first.
    public func instances(company: Int64) throws -> [InstanceRecord] {
        try pool.read { db in
            try InstanceRecord.fetchAll(db, sql: """
                SELECT \(InstanceRecord.columns) FROM instances WHERE company_id = ? ORDER BY created_at, id
                """, arguments: [company])
        }
    }

    /// Every instance of every company: for the daemon's start-up reconnect.
    public func allInstances() throws -> [InstanceRecord] {
        try pool.read { db in
            try InstanceRecord.fetchAll(db, sql: "SELECT \(InstanceRecord.columns) FROM instances ORDER BY created_at, id")
        }
    }

    /// One instance of the company; another company's id is `instanceNotFound`.
    public func instance(_ id: InstanceID, company: Int64) throws -> InstanceRecord {
        try pool.read { db in try Self.owned(db, id: id, company: company) }
    }

    /// One instance by id, unscoped: for the sessions layer, which owns every instance.
    public func instance(_ id: InstanceID) throws -> InstanceRecord {
        try pool.read { db in
            guard let record = try InstanceRecord.fetch(db, id: id.lowercased()) else { throw StoreError.instanceNotFound(id) }
            return record
        }
    }

    public func renameInstance(_ id: InstanceID, company: Int64, to name: String, at now: Date = Date()) throws -> InstanceRecord {
        try changingInstance(id) { db in
            _ = try Self.owned(db, id: id, company: company)
            try db.execute(sql: "UPDATE instances SET name = ?, updated_at = ? WHERE id = ?",
                           arguments: [name, now.storageSeconds, id.lowercased()])
            return try Self.owned(db, id: id, company: company)
        }
    }

    /// Deletes the instance with everything it owns: credentials, conversations,
    /// messages, kv, timers, outbox (foreign-key cascades).
    public func deleteInstance(_ id: InstanceID, company: Int64) throws {
        try changingInstance(id) { db in
            _ = try Self.owned(db, id: id, company: company)
            try db.execute(sql: "DELETE FROM instances WHERE id = ?", arguments: [id.lowercased()])
        }
    }

    /// Records a lifecycle change other than connecting (SPEC §4). Leaving
    /// `CONNECTED` frees the number for other instances; the number itself is kept.
    public func updateStatus(_ id: InstanceID, to status: InstanceStatus, qrCode: String? = nil,
                             at now: Date = Date()) throws {
        precondition(status != .connected, "connecting goes through claimPhone(_:for:)")
        try changingInstance(id) { db in
            try db.execute(sql: "UPDATE instances SET status = ?, qr_code = ?, updated_at = ? WHERE id = ?",
                           arguments: [status.rawValue, qrCode, now.storageSeconds, id.lowercased()])
            if db.changesCount == 0 { throw StoreError.instanceNotFound(id) }
        }
    }

    /// Marks the instance `CONNECTED` with `phone`, unless another instance holds
    /// that number connected: then `phoneInUse` and nothing changes anywhere
    /// (SPEC §2 point 4). Check and write happen in one transaction.
    public func claimPhone(_ phone: String, for id: InstanceID, at now: Date = Date()) throws {
        let digits = PhoneNumber.digits(phone)
        try changingInstance(id) { db in
            if let holder = try String.fetchOne(db, sql: """
                SELECT id FROM instances WHERE phone_number = ? AND status = 'CONNECTED' AND id != ?
                """, arguments: [digits, id.lowercased()]) {
                throw StoreError.phoneInUse(phone: digits, heldBy: holder)
            }
            try db.execute(sql: """
                UPDATE instances SET status = 'CONNECTED', phone_number = ?, qr_code = NULL, updated_at = ? WHERE id = ?
                """, arguments: [digits, now.storageSeconds, id.lowercased()])
            if db.changesCount == 0 { throw StoreError.instanceNotFound(id) }
        }
    }

    /// A write transaction that changes instance `id`'s row. It forgets the
    /// row kept for the pipeline inside the transaction, before any change
    /// (see `InstanceRecordCache`): every write to `instances` goes through here.
    /// The contacts' routes kept go too: a deleted instance takes its
    /// conversations with it (see `ContactRouteCache`).
    private func changingInstance<T>(_ id: InstanceID, _ body: (Database) throws -> T) throws -> T {
        try pool.write { db in
            instanceCache.forget(id)
            contactRoutes.forgetAll()
            return try body(db)
        }
    }

    static func owned(_ db: Database, id: InstanceID, company: Int64) throws -> InstanceRecord {
        guard let record = try InstanceRecord.fetch(db, id: id.lowercased()), record.companyID == company else {
            throw StoreError.instanceNotFound(id)
        }
        return record
    }
}
