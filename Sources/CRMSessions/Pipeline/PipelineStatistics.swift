import Synchronization

/// What became of work whose transaction failed, and of work a full queue
/// refused, since the pipeline started: for `/metrics` and for tests.
public struct PipelineStatistics: Sendable, Equatable {
    /// Transactions that did not commit: whole batches, and events then tried alone.
    public var failedTransactions: Int
    /// Events whose own transaction failed, refused to the caller waiting for them.
    public var refusedAfterFailure: Int
    /// Events whose own transaction failed and that nobody waits for, handed in again.
    public var handedInAgain: Int
    /// Messages and receipts refused because the queue was full.
    public var refusedWhenFull: Int
}

/// The counters behind `PipelineStatistics`, bumped by the writer and by callers.
final class PipelineCounters: Sendable {
    let failedTransactions = Atomic<Int>(0)
    let refusedAfterFailure = Atomic<Int>(0)
    let handedInAgain = Atomic<Int>(0)
    let refusedWhenFull = Atomic<Int>(0)

    var snapshot: PipelineStatistics {
        PipelineStatistics(failedTransactions: failedTransactions.load(ordering: .relaxed),
                           refusedAfterFailure: refusedAfterFailure.load(ordering: .relaxed),
                           handedInAgain: handedInAgain.load(ordering: .relaxed),
                           refusedWhenFull: refusedWhenFull.load(ordering: .relaxed))
    }
}
