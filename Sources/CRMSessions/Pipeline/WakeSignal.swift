import Synchronization

/// Wakes one waiting loop: a signal sent while nobody waits is kept for the
/// next wait, so none is lost.
final class WakeSignal: Sendable {
    private struct State {
        var pending = false
        var waiter: CheckedContinuation<Void, Never>?
        var generation = 0
    }
    private let state = Mutex(State())

    func signal() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter else { state.pending = true; return nil }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    /// Returns on the next signal, or after `timeout` when given.
    func wait(timeout: Duration? = nil) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let generation = state.withLock { state -> Int? in
                if state.pending { state.pending = false; return nil }
                state.waiter = continuation
                state.generation += 1
                return state.generation
            }
            guard let generation else { continuation.resume(); return }
            if let timeout {
                Task { [self] in
                    try? await Task.sleep(for: timeout)
                    resume(ifStill: generation)
                }
            }
        }
    }

    private func resume(ifStill generation: Int) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard state.generation == generation, let waiter = state.waiter else { return nil }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }
}
