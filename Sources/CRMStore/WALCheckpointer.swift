import CRMCore
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
///
/// A checkpoint runs once the log has grown by `step` pages since the last
/// one was asked for, not after every commit: under steady writes the log is
/// never fully copied between two commits, so asking at every commit kept
/// this thread checkpointing back to back (over half of the time at 7,000
/// messages/s), each time copying again the pages every commit rewrites and
/// waiting for the disk twice. Steps of `step` pages copy each such page
/// once per step; close to the ceiling every commit asks again, so that the
/// writer's own checkpoint there finds little left to copy.
final class WALCheckpointer: Sendable {
    /// Pages in the log after a commit that start a background checkpoint (SQLite's default threshold).
    static let threshold: Int32 = 1_000
    /// Pages in the log after which the writer checkpoints itself.
    static let ceiling: Int32 = 16_000
    /// Pages the log grows by between two background checkpoints.
    static let step: Int32 = 1_000

    private struct State {
        var pending = false
        var stopped = false
        var completed = 0
        /// The log's length when a checkpoint was last asked for.
        var askedAt: Int32 = 0
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
        NamedThread.start("wal-checkpoint") { [self] in run(sendable.value) }
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
                checkpointer.logGrew(to: pages)
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

    /// Asks for a checkpoint when the log has grown by a step since the last
    /// one was asked for; a log shorter than then has started over.
    private func logGrew(to pages: Int32) {
        let signal = state.withLock { state -> Bool in
            if pages < state.askedAt { state.askedAt = 0 }
            let step = pages >= WALCheckpointer.ceiling - 2 * WALCheckpointer.step ? 0 : WALCheckpointer.step
            guard pages - state.askedAt >= step, !state.pending, !state.stopped else { return false }
            state.askedAt = pages
            state.pending = true
            return true
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
