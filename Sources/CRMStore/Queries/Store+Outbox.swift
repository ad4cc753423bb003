import CRMCore
import Foundation
import GRDB

extension Store {
    /// Sends due at `now`, oldest first, skipping those already in flight.
    /// After a restart nothing is in flight, so every unconfirmed send is due
    /// again; the connector's idempotency key makes that retry safe.
    public func dueSends(now: Date, excluding inFlight: Set<Int64> = [], limit: Int = 1000) throws -> [OutboxRecord] {
        try pool.read { db in
            try OutboxRecord.fetchAll(db, sql: """
                SELECT * FROM outbox WHERE next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?
                """, arguments: [now.storeTime, limit + inFlight.count])
                .filter { !inFlight.contains($0.id) }.prefix(limit).map { $0 }
        }
    }

    /// How many sends wait in the outbox (metrics, tests).
    public func outboxCount() throws -> Int {
        try pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox") ?? 0 }
    }

    /// When the next retry is due, if any send waits.
    public func nextSendDue() throws -> Date? {
        try pool.read { db in
            try Double.fetchOne(db, sql: "SELECT MIN(next_attempt_at) FROM outbox").map(Date.init(storeTime:))
        }
    }
}
