import CRMCore
import Foundation
import GRDB

extension CRMStore {
    /// A contact changed number or user id (`user_changed_number`,
    /// `user_changed_user_id`): the conversation keeps its history and answers
    /// to the new identifier from now on.
    /// - Returns: how many conversations were updated (0 when none is known).
    @discardableResult
    public func relinkContact(instance: InstanceID, from old: ContactIdentity, to new: ContactIdentity) throws -> Int {
        try pool.write { db in
            contactRoutes.forgetAll()  // see ContactRouteCache
            let id = try Int64.fetchOne(db, sql: """
                SELECT id FROM conversations
                WHERE instance_id = ? AND ((contact_phone IS NOT NULL AND contact_phone = ?)
                                        OR (contact_user_id IS NOT NULL AND contact_user_id = ?))
                LIMIT 1
                """, arguments: [instance.lowercased(), old.phone, old.userID])
            guard let id else { return 0 }
            try db.execute(sql: """
                UPDATE conversations
                SET contact_phone = coalesce(?, contact_phone),
                    contact_user_id = coalesce(?, contact_user_id),
                    contact_id = coalesce(?, contact_phone, ?, contact_user_id)
                WHERE id = ?
                """, arguments: [new.phone, new.userID, new.phone, new.userID, id])
            return db.changesCount
        }
    }
}
