import Foundation
import GRDBSQLite
import Synchronization

/// Copies the write-ahead log back into the database file on a thread and a
/// connection of its own, so the pipeline's writer never stops to do it.
///
/// SQLite's default is for the committing connection to checkpoint once the
/// log passes 1,000 pages: the writer then copies those pages and waits for
/// the disk while every event queued behind it waits too. Here the writer's
/// commit hook only signals this thread, whose passive checkpoint runs beside
/// the writer on the other core. Should the log still grow past `ceiling`
/// pages (a checkpoint that cannot keep up, or a reader holding old pages),
/// the writer checkpoints inline as SQLite would, so the log stays bounded.
final class WALCheckpointer: Sendable {
    /// Pages in the log after a commit that start a background checkpoint (SQLite's default threshold).
    static let threshold: Int32 = 1_000
    /// Pages in the log after which the writer checkpoints itself.
    static let ceiling: Int32 = 16_000

    private struct State {
        var pending = false
        var stopped = false
        var completed = 0
    }
    private let state: Mutex<State>
    private let wake = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)

    /// Opens the checkpointing connection to `path` and starts its thread;
    /// nil when the connection cannot be opened (the writer then keeps
    /// SQLite's own checkpoints).
    init?(path: String) {
        var connection: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX
        // A connection finds the log when it first reads the database; until
        // then its checkpoints do nothing.
        guard sqlite3_open_v2(path, &connection, flags, nil) == SQLITE_OK, let connection,
              sqlite3_exec(connection, "PRAGMA schema_version", nil, nil, nil) == SQLITE_OK else {
            sqlite3_close_v2(connection)
            return nil
        }
        state = Mutex(State())
        let sendable = UnsafeSendable(connection)
        let thread = Thread { [self] in run(sendable.value) }
        thread.name = "wal checkpoint"
        thread.start()
    }

    /// Background checkpoints that copied pages, so far.
    var completed: Int { state.withLock { $0.completed } }

    /// Makes the writer connection `writer` hand its checkpoints to this thread.
    /// The hook holds the checkpointer unretained: `detach` must run before it goes.
    func attach(to writer: OpaquePointer) {
        sqlite3_wal_hook(writer, { context, db, _, pages in
            guard let context else { return SQLITE_OK }
            let checkpointer = Unmanaged<WALCheckpointer>.fromOpaque(context).takeUnretainedValue()
            if pages >= WALCheckpointer.ceiling {
                sqlite3_wal_checkpoint_v2(db, nil, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
            } else if pages >= WALCheckpointer.threshold {
                checkpointer.request()
            }
            return SQLITE_OK
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    /// Gives `writer` SQLite's own checkpoints back.
    static func detach(from writer: OpaquePointer) {
        sqlite3_wal_autocheckpoint(writer, threshold)
    }

    /// Ends the thread after the checkpoint it is running, and closes its connection.
    func stop() {
        let running = state.withLock { state -> Bool in
            defer { state.stopped = true }
            return !state.stopped
        }
        guard running else { return }
        wake.signal()
        finished.wait()
    }

    private func request() {
        let signal = state.withLock { state -> Bool in
            defer { state.pending = true }
            return !state.pending && !state.stopped
        }
        if signal { wake.signal() }
    }

    private func run(_ connection: OpaquePointer) {
        while true {
            wake.wait()
            let stopped = state.withLock { state -> Bool in
                state.pending = false
                return state.stopped
            }
            if stopped { break }
            var copied: Int32 = 0
            if sqlite3_wal_checkpoint_v2(connection, nil, SQLITE_CHECKPOINT_PASSIVE, nil, &copied) == SQLITE_OK,
               copied > 0 {
                state.withLock { $0.completed += 1 }
            }
        }
        sqlite3_close_v2(connection)
        finished.signal()
    }
}

/// A C pointer handed to the one thread that uses it from then on.
private struct UnsafeSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
