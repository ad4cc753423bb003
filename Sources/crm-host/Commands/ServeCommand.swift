import ArgumentParser

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Runs the daemon.")

    @Option(help: "Folder of per-instance bot scripts.")
    var scripts: String = "scripts"

    @Option(help: "Folder for the SQLite file, credentials and keys.")
    var data: String = "data"

    @Option(help: "Address to listen on, HOST:PORT.")
    var listen: String = "127.0.0.1:8080"

    @Flag(help: "Turn off the simulated WhatsApp network.")
    var noSim = false

    func run() async throws {
        throw CleanExit.message("serve: not built yet")
    }
}
