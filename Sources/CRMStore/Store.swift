import CRMCore
import CSQLiteLogWriter
import Foundation
import GRDB

/// The host's storage: one SQLite database (`DATA/crm.sqlite`) in WAL mode,
/// reached through a GRDB pool so inbox reads never wait for the pipeline's
/// writes. Everything else talks to storage through this type's extensions,
/// each scoped to a company or an instance.
public final class CRMStore: Sendable {
    /// The database file, for logs and the benchmark's floor.
    public let path: String
    /// When a commit counts as done: synced to stable storage by default.
    public let durability: StoreDurability
    let pool: DatabasePool
    /// Companies of API keys seen in the last second: every API request
    /// authenticates, and the lookup's read transaction cost more than the
    /// inbox query it guards. A revocation here clears it at once; one made
    /// behind the store's back (a direct edit of the database) shows within the second.
    let keyCache = ExpiringCache<String, CompanyRecord>(lifetime: 1)
    /// Connections of their own for the inbox list, beside the pool's readers.
    let readers: ReadConnections
    /// Instance rows kept for the pipeline's transactions; every write to one forgets it.
    let instanceCache = InstanceRecordCache()
    /// Contacts' conversations kept for the pipeline's transactions; every
    /// other write that could change one forgets them all.
    let contactRoutes = ContactRouteCache()
    /// Takes the log's checkpoints off the writer; nil keeps SQLite's own.
    private let checkpointer: WALCheckpointer?

    /// Opens (creating if needed) `folder/crm.sqlite` and brings its schema up to date.
    /// - Parameters:
    ///   - folder: the data folder; created when missing.
    ///   - durability: whether each commit is synced to stable storage before it returns.
    public init(folder: URL, durability: StoreDurability = .full) throws {
        self.durability = durability
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        // SQLite's process-wide settings go first, while they can still take (see crm_sqlite_settings.c).
        _ = crm_sqlite_settings_apply()
        // Every connection of the process opened from here on writes its log a commit at a time
        // (see crm_log_writer.c); should it fail to install, SQLite's own file system stays.
        _ = crm_log_writer_install()
        path = folder.appendingPathComponent("crm.sqlite").path
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(5)
        pool = try DatabasePool(path: path, configuration: configuration)
        try Schema.migrator.migrate(pool)
        readers = ReadConnections(path: path)
        let checkpointer = WALCheckpointer(path: path)
        self.checkpointer = checkpointer
        try pool.writeWithoutTransaction { db in
            // Set on the writer once the pool is open: opening it turns the log on and sets NORMAL,
            // after any setup of the configuration's.
            try db.execute(sql: "PRAGMA synchronous = \(durability.synchronousPragma)")
            // The writer's pages stay cached (64 MiB; SQLite's default is 2 MiB):
            // the pipeline's batches touch indexes all over the file.
            try db.execute(sql: "PRAGMA cache_size = -65536")
            if let checkpointer, let writer = db.sqliteConnection { checkpointer.attach(to: writer) }
        }
    }

    deinit {
        guard let checkpointer else { return }
        pool.writeWithoutTransaction { db in
            if let writer = db.sqliteConnection { WALCheckpointer.detach(from: writer) }
        }
        checkpointer.stop()
    }

    /// Checkpoints the background thread has completed, for tests.
    var backgroundCheckpoints: Int { checkpointer?.completed ?? 0 }

    /// Names of the migrations applied to this database, oldest first.
    public func appliedMigrations() throws -> [String] {
        try pool.read { db in try Schema.migrator.appliedMigrations(db) }
    }

    /// Runs `body` in one write transaction: all of it commits or none does.
    /// The pipeline's group commit uses this with `StoreTransaction`, from its
    /// writer thread; it blocks until the transaction has committed.
    ///
    /// It begins and commits with statements kept prepared: GRDB's own
    /// transaction compiles `BEGIN` and `COMMIT` anew each time, which was
    /// about 15 µs of the writer's 206 µs per webhook when every batch holds one.
    public func transactionNow<T>(_ body: (StoreTransaction) throws -> T) throws -> T {
        try pool.writeWithoutTransaction { db in
            try db.cachedStatement(sql: "BEGIN IMMEDIATE TRANSACTION").execute()
            do {
                let transaction = StoreTransaction(db: db, instances: instanceCache, contactRoutes: contactRoutes)
                let result = try transaction.run(body)
                try db.cachedStatement(sql: "COMMIT TRANSACTION").execute()
                transaction.committed()
                return result
            } catch {
                if db.isInsideTransaction { try? db.execute(sql: "ROLLBACK TRANSACTION") }
                throw error
            }
        }
    }
}

/// Storage time is seconds since 1970 as a REAL: compact, ordered, and the same
/// in every query and cursor. What is read is kept within the years 1 to 9999
/// (`Date.keptInRange`): a row written from unchecked input before the checks
/// may hold any number, and every reader converts dates to whole seconds.
extension Date {
    var storageSeconds: Double { timeIntervalSince1970 }
    init(storageSeconds: Double) { self = Date(timeIntervalSince1970: storageSeconds).keptInRange }
}
