import CRMCore
import Foundation
import GRDB

extension Store {
    /// Stores an instance's credentials. The session layer encrypts them; this
    /// keeps the bytes, one record per instance, deleted with the instance.
    public func putCredentials(instanceID: InstanceID, blob: Data) throws {
        try pool.write { db in
            guard try Self.instance(db, id: instanceID) != nil else { throw StoreError.notFound(kind: "instance", id: instanceID) }
            try db.execute(sql: """
                INSERT INTO credentials (instance_id, blob, updated_at) VALUES (?, ?, ?)
                ON CONFLICT (instance_id) DO UPDATE SET blob = excluded.blob, updated_at = excluded.updated_at
                """, arguments: [instanceID, blob, Date().storeTime])
        }
    }

    /// The encrypted credentials of an instance, if it has any.
    public func credentials(instanceID: InstanceID) throws -> Data? {
        try pool.read { db in
            try Data.fetchOne(db, sql: "SELECT blob FROM credentials WHERE instance_id = ?", arguments: [instanceID])
        }
    }

    /// Erases an instance's credentials (logout).
    public func deleteCredentials(instanceID: InstanceID) throws {
        try pool.write { db in
            try db.execute(sql: "DELETE FROM credentials WHERE instance_id = ?", arguments: [instanceID])
        }
    }
}
