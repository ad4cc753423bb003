import CRMCore
import Foundation
import GRDB

/// What the simulated outside world remembers across host restarts: which
/// phone is paired with which instance, and what contacts received (with the
/// idempotency keys already delivered). A kill -9 of the host must not make a
/// contact see a reply twice, so a delivery is written here before `send` returns.
final class SimLedger: Sendable {
    private let database: DatabaseQueue

    /// - Parameters:
    ///   - path: The ledger's SQLite file; nil keeps it in memory.
    init(path: String?) throws {
        var configuration = Configuration()
        if let path {
            // WAL with NORMAL sync survives a killed process, which is the crash the ledger must outlive.
            configuration.prepareDatabase { db in
                try db.execute(sql: "PRAGMA journal_mode = WAL")
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
            }
            try FileManager.default.createDirectory(at: URL(fileURLWithPath: path).deletingLastPathComponent(),
                                                    withIntermediateDirectories: true)
            database = try DatabaseQueue(path: path, configuration: configuration)
        } else {
            database = try DatabaseQueue(configuration: configuration)
        }
        try Self.migrator.migrate(database)
    }

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1 pairings and deliveries") { db in
            try db.execute(sql: """
                CREATE TABLE pairings (
                    instance_id TEXT PRIMARY KEY,
                    phone TEXT NOT NULL UNIQUE,
                    secret TEXT NOT NULL,
                    paired_at DOUBLE NOT NULL
                );
                CREATE TABLE deliveries (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    id TEXT NOT NULL UNIQUE,
                    instance_id TEXT NOT NULL,
                    idempotency_key TEXT NOT NULL,
                    from_phone TEXT NOT NULL,
                    to_address TEXT NOT NULL,
                    is_group INTEGER NOT NULL,
                    text TEXT NOT NULL,
                    at DOUBLE NOT NULL,
                    status TEXT NOT NULL,
                    UNIQUE (instance_id, idempotency_key)
                );
                CREATE INDEX deliveries_by_recipient ON deliveries (to_address, seq);
                """)
        }
        return migrator
    }

    // MARK: Pairings

    func pairing(ofInstance instance: InstanceID) throws -> SimPairing? {
        try database.read { db in
            try Row.fetchOne(db, sql: "SELECT instance_id, phone, secret FROM pairings WHERE instance_id = ?",
                             arguments: [instance]).map(SimPairing.init(row:))
        }
    }

    func pairing(ofPhone phone: String) throws -> SimPairing? {
        try database.read { db in
            try Row.fetchOne(db, sql: "SELECT instance_id, phone, secret FROM pairings WHERE phone = ?",
                             arguments: [phone]).map(SimPairing.init(row:))
        }
    }

    /// Pairs `phone` with the instance, replacing the instance's previous pairing.
    /// Returns the instance that already holds the phone instead, if another does.
    func pair(_ pairing: SimPairing) throws -> InstanceID? {
        try database.write { db in
            if let holder = try String.fetchOne(db, sql: "SELECT instance_id FROM pairings WHERE phone = ?",
                                                arguments: [pairing.phone]), holder != pairing.instanceID {
                return holder
            }
            try db.execute(sql: "DELETE FROM pairings WHERE instance_id = ?", arguments: [pairing.instanceID])
            try db.execute(sql: "INSERT INTO pairings (instance_id, phone, secret, paired_at) VALUES (?, ?, ?, ?)",
                           arguments: [pairing.instanceID, pairing.phone, pairing.secret, Date().timeIntervalSince1970])
            return nil
        }
    }

    func unpair(_ instance: InstanceID) throws {
        try database.write { db in
            try db.execute(sql: "DELETE FROM pairings WHERE instance_id = ?", arguments: [instance])
        }
    }

    // MARK: Deliveries

    /// The delivery already made under this idempotency key, if any.
    func delivery(instance: InstanceID, idempotencyKey: String) throws -> SimDelivery? {
        try database.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM deliveries WHERE instance_id = ? AND idempotency_key = ?",
                             arguments: [instance, idempotencyKey]).map(SimDelivery.init(row:))
        }
    }

    /// Records a delivery once per (instance, idempotency key); returns the one
    /// that holds the key and whether it is new.
    func record(_ delivery: SimDelivery, idempotencyKey: String) throws -> (SimDelivery, isNew: Bool) {
        try database.write { db in
            if let existing = try Row.fetchOne(db, sql: "SELECT * FROM deliveries WHERE instance_id = ? AND idempotency_key = ?",
                                               arguments: [delivery.instanceID, idempotencyKey]) {
                return (SimDelivery(row: existing), false)
            }
            try db.execute(sql: """
                INSERT INTO deliveries (id, instance_id, idempotency_key, from_phone, to_address, is_group, text, at, status)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [delivery.id, delivery.instanceID, idempotencyKey, delivery.from, delivery.to,
                                 delivery.isGroup, delivery.text, delivery.at.timeIntervalSince1970, delivery.status.rawValue])
            return (delivery, true)
        }
    }

    /// What was delivered to `address` (a phone or a group id), oldest first.
    func deliveries(to address: String) throws -> [SimDelivery] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM deliveries WHERE to_address = ? ORDER BY seq",
                             arguments: [address]).map(SimDelivery.init(row:))
        }
    }

    func setStatus(_ status: DeliveryStatus, ids: [String]) throws {
        guard !ids.isEmpty else { return }
        try database.write { db in
            for id in ids {
                try db.execute(sql: "UPDATE deliveries SET status = ? WHERE id = ?", arguments: [status.rawValue, id])
            }
        }
    }
}

/// A phone linked to an instance, with the secret the instance presents to resume.
struct SimPairing: Sendable, Equatable {
    var instanceID: InstanceID
    var phone: String
    var secret: String

    init(instanceID: InstanceID, phone: String, secret: String) {
        self.instanceID = instanceID; self.phone = phone; self.secret = secret
    }

    init(row: Row) {
        self.init(instanceID: row["instance_id"], phone: row["phone"], secret: row["secret"])
    }
}
