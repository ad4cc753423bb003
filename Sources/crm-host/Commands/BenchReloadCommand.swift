import ArgumentParser
import CRMCore
import CRMScripting
import Foundation
import Logging

/// `crm-host bench reload`: how long from saving a bot's file to the new
/// version answering events, through the real inotify watcher, beside the
/// floor of building a version (read, compile, run `main.lua`) with no watcher.
struct BenchReloadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reload",
        abstract: "Measures hot-reload latency: file saved → new version handling events.")

    @Option(help: "How many saves to measure.")
    var reloads = 50

    @Option(help: "Quiet time the watcher waits after a save, in milliseconds.")
    var debounce = 25

    func run() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("crm-bench-reload-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let folder = directory.appendingPathComponent("vendas")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let main = folder.appendingPathComponent("main.lua")
        try BenchReloadCommand.bot(version: 0).write(to: main, atomically: true, encoding: .utf8)

        var quiet = Logger(label: "crm.scripts")
        quiet.logLevel = .critical
        let engine = ScriptEngine(directory: directory, logger: quiet)
        let instance = InstanceInfo(id: "bench", name: "vendas", phoneNumber: "5511999998888")
        engine.instanceAppeared(instance)
        try engine.watch(debounce: .milliseconds(debounce))
        defer { engine.stopWatching() }

        let context = MemoryScriptContext(instance: instance, now: Date())
        let conversation = context.conversation(contact: ContactIdentity(phone: "5511911112222"), key: "5511911112222",
                                                name: "Bench", group: nil)
        let event = ScriptEvent.message(MessageEvent(whatsappID: "bench", conversation: conversation,
                                                     contact: ContactIdentity(phone: "5511911112222"), name: "Bench",
                                                     text: "qual o preço?", at: Date()))
        var latencies: [Double] = []
        for version in 1...reloads {
            let expected = "v\(version)"
            let saved = DispatchTime.now()
            try BenchReloadCommand.bot(version: version).write(to: main, atomically: true, encoding: .utf8)
            let deadline = saved.uptimeNanoseconds + 10_000_000_000
            while DispatchTime.now().uptimeNanoseconds < deadline {
                let outcome = engine.handle(event, context: context)
                if case .send(_, let content)? = outcome.actions.first, content.text == expected { break }
                usleep(500)
            }
            latencies.append(Double(DispatchTime.now().uptimeNanoseconds - saved.uptimeNanoseconds) / 1e6)
            usleep(50_000)
        }

        var floor: [Double] = []
        for version in 1...reloads {
            try BenchReloadCommand.bot(version: version).write(to: main, atomically: true, encoding: .utf8)
            let started = DispatchTime.now()
            let sources = ScriptSources.read(directory: directory, folder: "vendas")
            _ = try ScriptRuntime(sources: sources, instance: instance, log: { _ in })
            floor.append(Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e6)
        }

        print("reload latency, \(reloads) saves, debounce \(debounce) ms (milliseconds)")
        print("                                     p50      p95      max")
        print(BenchReloadCommand.row("saved → new version answering", latencies))
        print(BenchReloadCommand.row("floor: read + compile + init", floor))
    }

    /// A bot like the examples: requires the standard library and a module, routes on keywords.
    static func bot(version: Int) -> String {
        """
        local triggers = require "crm.triggers"
        local hours = require "crm.hours"
        local office = hours.new { zone = "-03:00", weekdays = { "09:00", "18:00" } }
        local router = triggers.router()
        router:keywords({ "preço", "valor" }, function(msg) msg:reply("v\(version)") end)
        router:otherwise(function(msg) msg:reply("v\(version)") end)
        on("message", function(msg) router:dispatch(msg) end)
        """
    }

    static func row(_ title: String, _ samples: [Double]) -> String {
        let sorted = samples.sorted()
        func percentile(_ p: Double) -> Double { sorted[min(sorted.count - 1, Int((p * Double(sorted.count)).rounded(.up)) - 1)] }
        let cells = [percentile(0.5), percentile(0.95), sorted.last ?? 0].map { String(format: "%8.1f", $0) }
        return title.padding(toLength: 34, withPad: " ", startingAt: 0) + cells.joined(separator: " ")
    }
}
