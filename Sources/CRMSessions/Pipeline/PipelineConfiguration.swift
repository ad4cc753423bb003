import Foundation

/// The knobs of the message pipeline; the defaults suit production.
public struct PipelineConfiguration: Sendable {
    /// Most events committed in one transaction.
    public var maximumBatch: Int = 1024
    /// Most events of one instance in one batch: a flooding instance waits for
    /// the next batch and the others keep their share (SPEC §2.5).
    public var maximumBatchShare: Int = 128
    /// Per-instance send rate (the Cloud API allows 80/s); nil for no limit.
    public var sendsPerSecond: Double? = 80
    /// Attempts before a send that keeps failing becomes `failed`.
    public var maximumSendAttempts: Int = 8
    /// First retry delay; doubled on each attempt, with jitter, up to `maximumRetryDelay`.
    public var firstRetryDelay: TimeInterval = 1
    public var maximumRetryDelay: TimeInterval = 300
    /// How often the outbox and the timers are scanned for due work that
    /// was not handed over in memory (retries, timers, work left by a restart).
    public var scanInterval: TimeInterval = 0.5

    public init() {}
}
