import Synchronization

/// Answers a webhook that carried several messages once the last of them is
/// done, with the first refusal among them if any: each message completes on
/// its own, in its own batch, and the answer is due only after all.
final class CompletionCountdown<Failure: Sendable>: Sendable {
    private let state: Mutex<(remaining: Int, failure: Failure?)>
    private let completion: @Sendable (Failure?) -> Void

    init(count: Int, _ completion: @escaping @Sendable (Failure?) -> Void) {
        state = Mutex((count, nil))
        self.completion = completion
    }

    /// One of them is done, refused when `failure` is set.
    func finished(_ failure: Failure?) {
        let last = state.withLock { state -> (Bool, Failure?) in
            state.remaining -= 1
            if state.failure == nil { state.failure = failure }
            return (state.remaining == 0, state.failure)
        }
        if last.0 { completion(last.1) }
    }
}
