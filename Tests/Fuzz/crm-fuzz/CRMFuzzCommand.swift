import Foundation
import FuzzTargets

/// `crm-fuzz`: runs one fuzz target in this process, for `bin/fuzz`.
///
///     crm-fuzz run TARGET [--seconds N] [--seed S] [--last-input FILE]
///     crm-fuzz replay TARGET FILE...
///
/// Built with `-D CRM_LIBFUZZER` and `-sanitize=fuzzer`, it is a libFuzzer
/// binary instead: the target is named by `CRM_FUZZ_TARGET`, the arguments
/// are libFuzzer's, and the target's structure-aware mutation is libFuzzer's
/// custom mutator.
#if CRM_LIBFUZZER
/// libFuzzer's own `main` runs; the entry points are in `LibFuzzerEntry`.
enum CRMFuzzCommand {}
#else
@main
enum CRMFuzzCommand {
    static let usage = """
        usage: crm-fuzz run TARGET [--seconds N] [--seed S] [--last-input FILE]
               crm-fuzz replay TARGET FILE...
        targets: \(FuzzTargets.names.joined(separator: ", "))
        """

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data((message + "\n").utf8))
        exit(2)
    }

    static func option(_ name: String, in arguments: [String]) -> String? {
        arguments.firstIndex(of: name).flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil }
    }

    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        guard arguments.count >= 2 else { fail(usage) }
        let target: any FuzzTarget
        do { target = try FuzzTargets.make(arguments[1]) } catch { fail("\(error)\n\(usage)") }
        switch arguments[0] {
        case "run":
            let seconds = option("--seconds", in: arguments).flatMap(Double.init) ?? 60
            let seed = option("--seed", in: arguments).flatMap { UInt64($0) } ?? 1
            let run = FuzzRunner.run(target, seed: seed, for: .seconds(seconds), lastInput: option("--last-input", in: arguments)) { line in
                FileHandle.standardOutput.write(Data((line + "\n").utf8))
            }
            print("\(run.target): seed \(run.seed), \(run.cases) inputs, \(run.accepted) accepted")
            if let (failure, input) = run.failure {
                FileHandle.standardError.write(Data("""
                    \(run.target): \(failure)
                    input (base64): \(input.count <= 65_536 ? Data(input).base64EncodedString() : "(\(input.count) bytes)")

                    """.utf8))
                exit(1)
            }
        case "replay":
            var failed = false
            for path in arguments.dropFirst(2) {
                guard let data = FileManager.default.contents(atPath: path) else { fail("cannot read \(path)") }
                do {
                    try FuzzRunner.replay(target, Array(data))
                    print("\(path): passes")
                } catch {
                    print("\(path): \(error)")
                    failed = true
                }
            }
            exit(failed ? 1 : 0)
        default:
            fail(usage)
        }
    }
}
#endif
