import ArgumentParser

/// The command line of SPEC §11: `serve` by default.
@main
struct CRMHost: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crm-host",
        abstract: "Runs many WhatsApp numbers with sandboxed Lua bots per number.",
        subcommands: [ServeCommand.self, TestCommand.self, KeysCommand.self, SimCommand.self, BenchCommand.self],
        defaultSubcommand: ServeCommand.self
    )
}
