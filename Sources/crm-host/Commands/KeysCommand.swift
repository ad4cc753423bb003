import ArgumentParser
import CRMServer
import Foundation

/// `crm-host keys create --company NAME`: a new API key, printed once.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Manages API keys.",
        subcommands: [Create.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Creates an API key for a company (created when missing) and prints it once.")

        @Option(help: "The company the key belongs to.")
        var company: String

        @Option(help: "A name for the key, to recognise it later.")
        var name: String = "cli"

        @Option(help: "Folder for the SQLite file, credentials and keys.")
        var data: String = "data"

        func run() async throws {
            print(try Daemon.createKey(company: company, name: name, dataDirectory: URL(fileURLWithPath: data)))
        }
    }
}
