import CRMCore
import Foundation
import GRDB

/// Per-instance credential records (SPEC §2 point 1). The bytes arrive already
/// encrypted by the sessions layer; storage never sees them in clear.
extension CRMStore {
    public func putCredentials(_ blob: Data, for id: InstanceID, at now: Date = Date()) throws {
        try pool.write { db in
            try db.execute(sql: """
                INSERT INTO credentials(instance_id, blob, updated_at) VALUES (?, ?, ?)
                ON CONFLICT(instance_id) DO UPDATE SET blob = excluded.blob, updated_at = excluded.updated_at
                """, arguments: [id.lowercased(), blob, now.storageSeconds])
        }
    }

    public func credentials(for id: InstanceID) throws -> Data? {
        try pool.read { db in
            try Data.fetchOne(db, sql: "SELECT blob FROM credentials WHERE instance_id = ?", arguments: [id.lowercased()])
        }
    }

    /// Erases them: logout and delete (SPEC §4).
    public func deleteCredentials(for id: InstanceID) throws {
        try pool.write { db in
            try db.execute(sql: "DELETE FROM credentials WHERE instance_id = ?", arguments: [id.lowercased()])
        }
    }
}
