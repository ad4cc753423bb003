import CRMCore
import Foundation
import GRDB

/// The embedded database (SPEC §3): one SQLite file in the data folder, in WAL
/// mode, written through one `DatabasePool`. Everything else in the host reads
/// and writes through this type's narrow API (see the `Store+*.swift` files)
/// or, for the pipeline, through an `EventTransaction`.
public final class Store: Sendable {
    /// GRDB's pool: one writer, concurrent readers.
    let pool: DatabasePool
    /// Where the database file lives.
    public let path: String

    /// Opens (creating when missing) `folder/crm.sqlite` and brings its schema
    /// up to date.
    /// - Parameter folder: the data folder (`--data`); created when missing.
    public convenience init(folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try self.init(path: folder.appendingPathComponent("crm.sqlite").path)
    }

    /// Opens the database at `path` and migrates it.
    /// - Parameter path: the SQLite file.
    public init(path: String) throws {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            // WAL with synchronous=NORMAL is durable across process crashes;
            // only a power loss may drop the last commits.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            try db.execute(sql: "PRAGMA cache_size = -32000")
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
        }
        self.path = path
        pool = try DatabasePool(path: path, configuration: configuration)
        try StoreSchema.migrator.migrate(pool)
    }

    /// Names of the migrations applied to this database, oldest first.
    public func appliedMigrations() throws -> [String] {
        try pool.read { db in try StoreSchema.migrator.appliedMigrations(db) }
    }

    /// Runs `work` in one write transaction: everything it does commits
    /// together or not at all. The pipeline commits batches of events this way.
    /// - Parameter work: runs on the writer; it must not block on anything but the database.
    public func transaction<T: Sendable>(_ work: @Sendable @escaping (EventTransaction) throws -> T) async throws -> T {
        try await pool.write { db in try work(EventTransaction(db)) }
    }
}

/// Seconds since 1970: every `*_at` column holds this, so ordering and
/// keyset pagination are plain number comparisons.
extension Date {
    var storeTime: Double { timeIntervalSince1970 }
    init(storeTime: Double) { self.init(timeIntervalSince1970: storeTime) }
}
