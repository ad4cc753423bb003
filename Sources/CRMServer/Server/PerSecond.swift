import Synchronization

/// A value that changes only with the wall clock's whole second (the `Date`
/// header's text, an answer that carries it), built at most once a second
/// and shared by every caller meanwhile.
final class PerSecond<Value: Sendable>: Sendable {
    private let cached = Mutex<(second: Int, value: Value?)>((-1, nil))
    private let build: @Sendable (Int) -> Value

    /// - Parameter build: the value for a second since the epoch.
    init(_ build: @escaping @Sendable (Int) -> Value) {
        self.build = build
    }

    var current: Value {
        let second = HTTPDate.currentSecond
        return cached.withLock { cached in
            if cached.second != second { cached = (second, build(second)) }
            return cached.value!
        }
    }
}
