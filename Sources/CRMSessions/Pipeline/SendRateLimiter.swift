import CRMCore
import Foundation
import Synchronization

/// A token bucket per instance: at most `perSecond` sends a second on
/// average, bursts up to one second's worth.
final class SendRateLimiter: Sendable {
    private struct Bucket { var tokens: Double; var updated: ContinuousClock.Instant }
    private let perSecond: Double?
    private let buckets = Mutex([InstanceID: Bucket]())

    init(perSecond: Double?) { self.perSecond = perSecond }

    /// Takes a token for one send of `instance`; returns how long to wait before sending.
    func reserve(for instance: InstanceID) -> Duration {
        guard let perSecond else { return .zero }
        let now = ContinuousClock.now
        return buckets.withLock { buckets in
            var bucket = buckets[instance] ?? Bucket(tokens: perSecond, updated: now)
            let elapsed = now - bucket.updated
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            bucket.tokens = min(perSecond, bucket.tokens + seconds * perSecond) - 1
            bucket.updated = now
            buckets[instance] = bucket
            return bucket.tokens >= 0 ? .zero : .seconds(-bucket.tokens / perSecond)
        }
    }
}
