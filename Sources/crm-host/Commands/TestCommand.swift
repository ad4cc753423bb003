import ArgumentParser
import CRMScripting
import Foundation

/// `crm-host test`: runs the bots' fixture cases (SPEC §7) and exits non-zero
/// when one fails or none was found.
struct TestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Runs the fixture cases under DIR/*/tests/*.yaml and DIR/companies/*/*/tests/*.yaml against the bots.")

    @Option(help: "Folder of per-instance bot scripts.")
    var scripts: String = "scripts"

    @Option(help: "Run only cases whose file path or name contains this text.")
    var filter: String?

    @Option(help: "Also write the results as JUnit XML to this file.")
    var junit: String?

    func run() throws {
        let run = FixtureRunner(directory: URL(fileURLWithPath: scripts)).run(filter: filter)
        print(run.text())
        if let junit {
            try run.junit().write(toFile: junit, atomically: true, encoding: .utf8)
        }
        if !run.passed { throw ExitCode.failure }
    }
}
