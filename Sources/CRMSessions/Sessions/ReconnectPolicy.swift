/// How an instance retries a lost or refused connection: exponential backoff
/// with jitter (so instances dropped together do not reconnect together), and
/// `FAILED` after too many failures in a row.
public struct ReconnectPolicy: Sendable, Equatable {
    public var firstDelay: Duration
    public var maximumDelay: Duration
    /// Each delay is spread by ± this fraction.
    public var jitter: Double
    /// Failed attempts in a row after which the instance gives up and is `FAILED`.
    public var maximumFailures: Int

    public init(firstDelay: Duration = .seconds(1), maximumDelay: Duration = .seconds(60), jitter: Double = 0.2,
                maximumFailures: Int = 10) {
        self.firstDelay = firstDelay; self.maximumDelay = maximumDelay
        self.jitter = min(max(jitter, 0), 1); self.maximumFailures = max(1, maximumFailures)
    }

    /// The wait before the next attempt after `failures` failures in a row (1 or more).
    /// - Parameters:
    ///   - unit: A number in 0…1 that picks the jitter; random by default.
    public func delay(afterFailures failures: Int, unit: Double = Double.random(in: 0...1)) -> Duration {
        let doublings = min(max(failures - 1, 0), 30)
        let base = min(firstDelay.seconds * Double(1 << doublings), maximumDelay.seconds)
        let spread = 1 + jitter * (2 * unit - 1)
        return .nanoseconds(Int64(base * spread * 1e9))
    }
}
