import Foundation
import Synchronization

/// Values looked up on every request (a key's company, a webhook's secrets)
/// kept for a short `lifetime`, so that hot requests skip a read transaction.
/// Whoever changes the underlying data in this process calls `forget`;
/// a change made behind the process's back shows within `lifetime`.
public final class ExpiringCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    public let lifetime: TimeInterval
    private let capacity: Int
    @usableFromInline struct Entry {
        @usableFromInline var value: Value
        @usableFromInline var expires: Date
        @usableFromInline init(value: Value, expires: Date) { self.value = value; self.expires = expires }
    }
    @usableFromInline let entries = Mutex<[Key: Entry]>([:])

    /// - Parameters:
    ///   - lifetime: how long an entry answers before it is looked up again.
    ///   - capacity: entries kept at most; when full, all are dropped at once.
    public init(lifetime: TimeInterval, capacity: Int = 1_024) {
        self.lifetime = lifetime
        self.capacity = capacity
    }

    /// Inlinable so that callers in other modules get it specialized for
    /// their key and value: unspecialized, each lookup on a webhook's way in
    /// built the dictionary's generic type at run time.
    @inlinable
    public func value(for key: Key, now: Date = Date()) -> Value? {
        entries.withLock { entries in
            guard let entry = entries[key] else { return nil }
            guard entry.expires > now else { entries[key] = nil; return nil }
            return entry.value
        }
    }

    public func remember(_ value: Value, for key: Key, now: Date = Date()) {
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[key] = Entry(value: value, expires: now.addingTimeInterval(lifetime))
        }
    }

    public func forget(_ key: Key) { entries.withLock { _ = $0.removeValue(forKey: key) } }

    public func forgetAll() { entries.withLock { $0.removeAll() } }
}
