import Foundation

/// What one run of a target did.
public struct FuzzRun {
    public var target: String
    public var seed: UInt64
    /// Inputs run, and how many of them got past the first checks.
    public var cases = 0
    public var accepted = 0
    /// The first broken invariant and the input that broke it; the run stops there.
    public var failure: (failure: FuzzFailure, input: [UInt8])?
}

/// A coverage-free mutation loop: seeds first, then mutations of the seeds
/// and of inputs that were accepted, until the time is up. A trap ends the
/// process; with `lastInput` the input about to run is in that file first,
/// so the crash can be replayed.
public enum FuzzRunner {
    /// Inputs kept as parents of later mutations.
    static let poolSize = 512
    /// Longest input tried: mutations that repeat bytes could grow one without end.
    static let inputLimit = 1 << 20

    /// - Parameters:
    ///   - target: what to fuzz.
    ///   - seed: the random state the whole run derives from.
    ///   - duration: how long to run; `maxCases` may end it sooner.
    ///   - lastInput: a file that holds each input while it runs.
    ///   - progress: where a line goes every ten seconds or so.
    public static func run(_ target: any FuzzTarget, seed: UInt64, for duration: Duration, maxCases: Int = .max,
                           lastInput: String? = nil, progress: ((String) -> Void)? = nil) -> FuzzRun {
        var run = FuzzRun(target: target.name, seed: seed)
        var random = FuzzRandom(seed: seed)
        let recorder = lastInput.flatMap(LastInputFile.init(path:))
        let watchdog = Watchdog(target: target.name, lastInput: lastInput)
        let clock = ContinuousClock()
        let start = clock.now
        var reported = start
        var pool = target.seeds
        var queue = pool
        while clock.now - start < duration, run.cases < maxCases {
            var input: [UInt8]
            if !queue.isEmpty {
                input = queue.removeFirst()
            } else {
                input = random.pick(pool)
                for _ in 0...random.below(3) { input = target.mutate(input, using: &random) }
                if input.count > inputLimit { input = Array(input.prefix(inputLimit)) }
            }
            recorder?.write(input)
            watchdog.arm(for: target.hangLimit, input: input)
            let accepted: Bool
            do {
                accepted = try target.run(input)
            } catch {
                watchdog.disarm()
                run.failure = (error, input)
                return run
            }
            watchdog.disarm()
            run.cases += 1
            if accepted {
                run.accepted += 1
                if pool.count < poolSize { pool.append(input) } else { pool[random.below(poolSize)] = input }
            }
            if let progress, clock.now - reported > .seconds(10) {
                reported = clock.now
                progress("\(target.name): \(run.cases) inputs, \(run.accepted) accepted, \(clock.now - start)")
            }
        }
        return run
    }

    /// Runs one saved input, as a regression test does.
    public static func replay(_ target: any FuzzTarget, _ input: [UInt8]) throws(FuzzFailure) {
        _ = try target.run(input)
    }
}

/// Holds the input being run, written before it runs: one truncate and one
/// write per input, cheap beside any target.
final class LastInputFile {
    private let descriptor: Int32

    init?(path: String) {
        descriptor = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0o644)
        guard descriptor >= 0 else { return nil }
    }

    deinit { close(descriptor) }

    func write(_ input: [UInt8]) {
        _ = ftruncate(descriptor, 0)
        _ = input.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
    }
}
