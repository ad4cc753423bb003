import ArgumentParser

/// `crm-host bench SCENARIO`: runs a scenario in-process on a temporary data
/// folder and prints a table beside the floor measured in the same run.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Runs a benchmark scenario and prints its table.",
        subcommands: [BenchReloadCommand.self, BenchPipelineCommand.self, BenchIdleCommand.self, BenchEngineCommand.self]
    )
}
