import Foundation

/// The pipeline's limits and pacing.
public struct PipelineConfiguration: Sendable {
    /// Most events committed in one transaction (group commit).
    public var maxBatch = 1000
    /// Inbound text above this many UTF-8 bytes is refused (64 KiB).
    public var maxTextBytes = 65_536
    /// Sends per second per instance; nil for no limit. The Cloud API allows 80.
    public var sendsPerSecond: Double? = 80
    /// Hand-overs tried before a retryable failure becomes `failed`.
    public var maxSendAttempts = 8
    /// First retry delay; doubles per attempt up to `maxRetryDelay`.
    public var retryDelay: Duration = .seconds(1)
    public var maxRetryDelay: Duration = .seconds(300)
    /// Sends handed to connectors and not yet reported, across instances.
    public var maxSendsInFlight = 4000
    /// Sends of one instance handed to its lane and not yet reported: an
    /// instance with a backlog, a slow connector or a low rate holds at most
    /// this much of `maxSendsInFlight`, the others keep theirs.
    public var maxSendsInFlightPerInstance = 64
    /// Events waiting for the writer past which messages and awaited receipts
    /// are refused (`InboundRejection.overloaded`), so that their sources
    /// deliver them again later instead of the queue growing without bound.
    /// Work the host started itself (outcomes of its sends, receipts its
    /// connectors report, timers) is always taken: what it already sent bounds it.
    public var maxQueuedEvents = 10_000
    /// First wait before work whose transaction failed, and whose source
    /// waits for no answer, is handed in again; doubles per failure up to
    /// `maxCommitRetryDelay`.
    public var commitRetryDelay: Duration = .milliseconds(250)
    public var maxCommitRetryDelay: Duration = .seconds(30)
    /// How often due timers and retries are looked for when nothing wakes the loops.
    public var pollInterval: Duration = .milliseconds(250)

    public init() {}
}
