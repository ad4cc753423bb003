import Foundation
import GRDB

/// Row counts for `/metrics` and for checks after a crash.
public struct StoreStatistics: Sendable, Equatable {
    public var instances: Int
    public var conversations: Int
    public var inboundMessages: Int
    public var outboundMessages: Int
    /// Sends not yet confirmed by a connector: in the outbox, or on their way
    /// straight to it.
    public var outbox: Int
    public var timers: Int
    public var scriptErrors: Int
}

extension CRMStore {
    public func statistics() throws -> StoreStatistics {
        try pool.read { db in
            func count(_ sql: String) throws -> Int { try Int.fetchOne(db, sql: sql) ?? 0 }
            return StoreStatistics(
                instances: try count("SELECT count(*) FROM instances"),
                conversations: try count("SELECT count(*) FROM conversations"),
                inboundMessages: try count("SELECT count(*) FROM messages WHERE direction = 'in'"),
                outboundMessages: try count("SELECT count(*) FROM messages WHERE direction = 'out'"),
                outbox: try count(Self.unsettledSendsCount),
                timers: try count("SELECT count(*) FROM timers"),
                scriptErrors: try count("SELECT count(*) FROM script_errors"))
        }
    }
}
