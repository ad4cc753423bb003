import ArgumentParser
import Foundation
import Lua

/// `crm-host bench engine`: the cost of one event handler call through the
/// sandbox (Swift → Lua handler → one host call → back) beside Debian's
/// `lua5.4` running the same handler in a loop, and the memory of an idle
/// sandboxed state with a small bot beside a plain state, from one run.
struct BenchEngineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engine",
        abstract: "Measures the Lua engine: cost per event handler call and memory per idle state.")

    @Option(help: "Handler calls per run.")
    var calls = 200_000

    @Option(help: "Runs; the median is reported.")
    var runs = 7

    @Option(help: "The plain Lua interpreter to compare with.")
    var lua = "lua5.4"

    func run() throws {
        let sandboxed = try medianNanoseconds { try sandboxedRun() }
        let plain = try plainRun()
        let memory = try EngineMemory.measure()

        print("engine: \(calls) handler calls per run, median of \(runs) runs")
        print("                                          ns/call")
        print(BenchEngineCommand.row("sandboxed: Swift → handler → host → back", sandboxed))
        if let plain {
            print(BenchEngineCommand.row("floor: \(lua), same handler, Lua stub", plain))
            print(BenchEngineCommand.row("difference", sandboxed - plain))
            print(String(format: "ratio: %.2f× the floor", sandboxed / plain))
        } else {
            print("floor: \(lua) not found (apt-get install lua5.4)")
        }
        print("")
        print("idle state memory (allocator bytes after a full collection)")
        print(BenchEngineCommand.row("sandboxed state + small bot", Double(memory.sandboxedWithBot), unit: "bytes"))
        print(BenchEngineCommand.row("plain state + openlibs + small bot", Double(memory.plainWithBot), unit: "bytes"))
        print(BenchEngineCommand.row("floor: plain luaL_newstate + openlibs", Double(memory.plain), unit: "bytes"))
    }

    /// One run through the real boundary: the event is a `LuaValue` table pushed
    /// per call, the host function reads its arguments and answers.
    private func sandboxedRun() throws -> Double {
        let state = try LuaState()
        state.register("tag", in: "host") { _, arguments throws(LuaError) in
            let conversation = try arguments.value(1)
            let name = try arguments.string(2, function: "host.tag")
            return [.boolean(conversation.integerValue != nil && !name.isEmpty)]
        }
        _ = try state.call(try state.load(EngineBot.sandboxed, chunk: "bench/main.lua"))
        guard let handler = state.globalFunction("handle") else { throw ValidationError("the bench bot has no handle()") }
        let event = LuaValue.table(EngineBot.event)
        let started = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<calls {
            _ = try state.call(handler, [event])
        }
        return Double(DispatchTime.now().uptimeNanoseconds - started) / Double(calls)
    }

    /// The same handler under the plain interpreter, timed by `os.clock` inside
    /// it; nil when the interpreter is missing.
    private func plainRun() throws -> Double? {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("crm-bench-engine-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let script = directory.appendingPathComponent("plain.lua")
        try EngineBot.plain.write(to: script, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [lua, script.path, String(calls), String(runs)]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        let samples = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).compactMap { Double($0) }
        return samples.isEmpty ? nil : BenchEngineCommand.median(samples)
    }

    private func medianNanoseconds(_ sample: () throws -> Double) throws -> Double {
        var samples: [Double] = []
        for _ in 0..<runs { samples.append(try sample()) }
        return BenchEngineCommand.median(samples)
    }

    static func median(_ samples: [Double]) -> Double {
        let sorted = samples.sorted()
        return sorted[sorted.count / 2]
    }

    static func row(_ label: String, _ value: Double, unit: String = "") -> String {
        label.padding(toLength: 42, withPad: " ", startingAt: 0) + String(format: "%9.0f", value) + (unit.isEmpty ? "" : " " + unit)
    }
}


/// The bot both sides of `bench engine` run: a handler that reads a
/// message-like event of ten fields and makes one host call.
enum EngineBot {
    static let handler = """
    local greetings = { ["oi"] = true, ["olá"] = true, ["bom dia"] = true }

    function handle(event)
      if event.from_me or event.kind ~= "text" then return false end
      local text = event.text
      local first = text:match("^%S+")
      if greetings[first] or #text > 3 then
        return host.tag(event.conversation, "lead")
      end
      return false
    end
    """

    /// The sandboxed side: `host.tag` is registered by Swift.
    static let sandboxed = handler

    /// The floor: a Lua stub for `host.tag`, the same event built per call as
    /// the host pushes one per call, timed with `os.clock` for each run.
    static let plain = """
    host = { tag = function(conversation, name) return math.type(conversation) == "integer" and #name > 0 end }
    \(handler)
    local calls, runs = tonumber(arg[1]), tonumber(arg[2])
    for run = 1, runs do
      local started = os.clock()
      for i = 1, calls do
        handle({ id = "wamid.HBgNNTUxMTkxMTExMjIyMhUCABIYFjNFQjA", conversation = 42,
                 contact = "5511911112222", name = "João", text = "qual o preço do plano?",
                 kind = "text", at = 1796040000, group = false, instance = "vendas", from_me = false })
      end
      print(string.format("%.1f", (os.clock() - started) * 1e9 / calls))
    end
    """

    static let event = LuaTable([
        "id": "wamid.HBgNNTUxMTkxMTExMjIyMhUCABIYFjNFQjA", "conversation": 42,
        "contact": "5511911112222", "name": "João", "text": "qual o preço do plano?",
        "kind": "text", "at": 1_796_040_000, "group": false, "instance": "vendas", "from_me": false,
    ])
}


/// Allocator bytes of idle states after a full collection, for `bench engine`.
struct EngineMemory {
    let sandboxedWithBot: Int
    let plainWithBot: Int
    let plain: Int

    static func measure() throws -> EngineMemory {
        let sandboxed = try LuaState()
        sandboxed.register("tag", in: "host") { _, _ throws(LuaError) in [] }
        _ = try sandboxed.call(try sandboxed.load(EngineBot.sandboxed, chunk: "bench/main.lua"))
        let withBot = try LuaState(sandboxed: false)
        _ = try withBot.call(try withBot.load(EngineBot.sandboxed, chunk: "bench/main.lua"))
        let bare = try LuaState(sandboxed: false)
        return EngineMemory(sandboxedWithBot: idle(sandboxed), plainWithBot: idle(withBot), plain: idle(bare))
    }

    private static func idle(_ state: LuaState) -> Int {
        state.collectGarbage()
        return state.memoryInUse
    }
}
