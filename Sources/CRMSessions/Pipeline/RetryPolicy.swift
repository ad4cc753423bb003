import Foundation

/// When a failed send is tried again, and when it is given up.
struct RetryPolicy: Sendable {
    var maximumAttempts: Int
    var firstDelay: TimeInterval
    var maximumDelay: TimeInterval

    /// The time of the next attempt after `attempts` failed ones (this one
    /// included), or nil when the send must now be marked failed.
    func nextAttempt(afterFailedAttempts attempts: Int, now: Date) -> Date? {
        guard attempts < maximumAttempts else { return nil }
        let exponential = firstDelay * pow(2, Double(max(attempts - 1, 0)))
        let delay = min(exponential, maximumDelay) * Double.random(in: 0.8...1.2)
        return now.addingTimeInterval(delay)
    }
}
