import ArgumentParser
import CRMCore
import CRMServer
import Foundation
import Logging

/// `crm-host bench idle`: the resident memory of many connected, idle
/// instances, each with a small bot loaded, in one daemon process.
struct BenchIdleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "idle",
        abstract: "Measures the memory of many connected idle instances with a small bot each."
    )

    @Option(help: "Instances to create, pair and keep idle.")
    var instances = 10_000

    static let bot = """
        local triggers = require "crm.triggers"
        on("message", function(msg)
          if triggers.keyword(msg.text, {"preço", "valor"}) then
            msg:reply("Nossa tabela: https://exemplo.com/tabela")
            crm.tag(msg.conversation, "lead")
          end
        end)
        """

    func run() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("crm-idle-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let scripts = folder.appendingPathComponent("scripts")
        for index in 0..<instances {
            let bot = scripts.appendingPathComponent(BenchIdleCommand.name(index))
            try FileManager.default.createDirectory(at: bot, withIntermediateDirectories: true)
            try BenchIdleCommand.bot.write(to: bot.appendingPathComponent("main.lua"), atomically: false, encoding: .utf8)
        }
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let key = "bench-" + UUID().uuidString
        let daemon = try await Daemon.open(DaemonConfiguration(dataDirectory: folder.appendingPathComponent("data"),
                                                               scriptsDirectory: scripts, bootstrapKey: key), logger: logger)
        try await daemon.start()
        guard let tenant = await daemon.tenant(forKey: key), let simulator = daemon.simulator else {
            throw ValidationError("the bench daemon has no default company or no simulated network")
        }
        let baseline = BenchIdleCommand.residentBytes()
        let started = Date()
        for index in 0..<instances {
            let created = try await daemon.createInstance(NewInstance(name: BenchIdleCommand.name(index), connector: "sim", config: [:]),
                                                          for: tenant)
            let connecting = try await daemon.connect(created.id, for: tenant)
            guard let code = connecting.qr_code else { throw ValidationError("instance \(index) showed no QR code") }
            _ = try await simulator.scan(qr: code, phone: String(5511_9000_0000 + index))
        }
        let connected = try await daemon.instances(for: tenant).filter { $0.status == "CONNECTED" }.count
        let loaded = try await daemon.scripts(for: tenant).filter { $0.version != nil && $0.last_error == nil }.count
        let after = BenchIdleCommand.residentBytes()
        let perInstance = Double(after - baseline) / Double(max(instances, 1))
        print("instances=\(instances) connected=\(connected) bots loaded=\(loaded) setup=\(String(format: "%.1f", Date().timeIntervalSince(started))) s")
        print(String(format: "RSS before instances: %.1f MiB", Double(baseline) / 1_048_576))
        print(String(format: "RSS with them idle:   %.1f MiB", Double(after) / 1_048_576))
        print(String(format: "per instance:         %.1f KiB", perInstance / 1024))
        await daemon.shutdown()
    }

    static func name(_ index: Int) -> String { String(format: "idle-%05d", index) }

    /// VmRSS of this process, from /proc.
    static func residentBytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kib = Int(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
        return kib * 1024
    }
}
