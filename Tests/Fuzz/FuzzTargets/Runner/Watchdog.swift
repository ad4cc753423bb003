import Foundation
import Synchronization

/// Ends the process when one input runs past its target's hang limit: a hang
/// would otherwise stall the run (or the test suite) with nothing to show.
/// The message names the input so the hang becomes a test like a crash does.
final class Watchdog: Sendable {
    private struct Armed: Sendable {
        var deadline: ContinuousClock.Instant
        var input: [UInt8]
    }

    /// Shared with the watching thread, which outlives no run.
    private final class State: Sendable {
        let armed = Mutex<Armed?>(nil)
        let stopped = Mutex(false)
    }

    private let state = State()

    init(target: String, lastInput: String?) {
        let thread = Thread { [state] in
            while !state.stopped.withLock({ $0 }) {
                Thread.sleep(forTimeInterval: 0.05)
                guard let hung = state.armed.withLock({ $0 }), ContinuousClock.now > hung.deadline else { continue }
                let shown = hung.input.count <= 4096 ? Data(hung.input).base64EncodedString() : "(\(hung.input.count) bytes)"
                FileHandle.standardError.write(Data("""
                    fuzz \(target): an input ran past the hang limit\(lastInput.map { "; it is in \($0)" } ?? "")
                    input (base64): \(shown)

                    """.utf8))
                abort()
            }
        }
        thread.name = "fuzz-watchdog"
        thread.start()
    }

    deinit { state.stopped.withLock { $0 = true } }

    func arm(for limit: Duration, input: [UInt8]) {
        state.armed.withLock { $0 = Armed(deadline: .now + limit, input: input) }
    }

    func disarm() { state.armed.withLock { $0 = nil } }
}
