import Foundation

/// The outcome of work run on a thread of its own, handed back to the test.
final class BoundedRun<Value>: @unchecked Sendable {
    private let work: () -> Value
    private let done = DispatchSemaphore(value: 0)
    private var value: Value?

    private init(_ work: @escaping () -> Value) { self.work = work }

    /// Runs `work` on a new thread and waits at most `seconds` for it, so a
    /// script that escapes its budget fails its test instead of hanging the
    /// suite. On a timeout the thread is abandoned, keeping what `work` captured
    /// (a state in use is never closed under it).
    static func run(within seconds: Double, _ work: @escaping () -> Value) -> Value? {
        let run = BoundedRun(work)
        let thread = Thread { run.value = run.work(); run.done.signal() }
        thread.stackSize = 16 << 20
        thread.start()
        guard run.done.wait(timeout: .now() + seconds) == .success else { return nil }
        return run.value
    }
}
