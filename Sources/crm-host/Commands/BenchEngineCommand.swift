import ArgumentParser
import Foundation
import Lua

/// `crm-host bench engine`: the cost of one event handler call through the
/// sandbox (Swift → Lua handler → one host call → back) beside Debian's
/// `lua5.4` running the same handler in a loop (both timed in CPU time), and the memory of an idle
/// sandboxed state with a small bot beside a plain `luaL_openlibs` state.
struct BenchEngineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engine",
        abstract: "Measures one event handler call and an idle state's memory."
    )

    @Option(help: "Handler calls per run.")
    var calls = 200_000

    @Option(help: "Runs; the medians are printed.")
    var runs = 7

    @Option(help: "The plain Lua interpreter that measures the floor.")
    var lua = "lua5.4"

    func run() throws {
        let benchmark = EngineBenchmark(calls: calls, runs: runs)
        let sandboxed = try benchmark.sandboxedCallNanoseconds()
        let plain = try benchmark.plainLuaCallNanoseconds(interpreter: lua)
        let memory = try benchmark.idleMemory()
        print("engine: one message event handler call with one host call, median of \(runs) runs × \(calls) calls")
        print(String(format: "  sandboxed state from Swift   %8.0f ns/call", sandboxed))
        print(String(format: "  floor: %@ in a loop      %8.0f ns/call", lua, plain))
        print(String(format: "  difference                   %8.0f ns/call  (goal: under 2000)", sandboxed - plain))
        print(String(format: "  ratio                        %8.2f ×", sandboxed / plain))
        print("engine: memory of an idle state")
        print(String(format: "  sandboxed, small bot loaded  %8.1f KiB  (goal: under 100)", Double(memory.sandboxed) / 1024))
        print(String(format: "  floor: luaL_openlibs, empty  %8.1f KiB", Double(memory.plain) / 1024))
    }
}

/// The measurements behind `bench engine`, kept apart from the command line.
struct EngineBenchmark {
    let calls: Int
    let runs: Int

    /// The bot both sides run: a dispatcher that gives the event its methods,
    /// and a message handler that makes one host call.
    static let bot = """
    local handlers = {}
    function on(name, handler) handlers[name] = handler end
    local methods = { __index = { reply = reply } }
    function dispatch(name, event)
      setmetatable(event, methods)
      handlers[name](event)
    end
    on("message", function(msg)
      if msg.text:find("preço", 1, true) and not msg.is_group then
        msg:reply("Segue nossa tabela, " .. msg.name)
      end
    end)
    on("status", function(ev) end)
    """

    /// Pushes the message event, ten fields, the way the scripting layer does:
    /// written straight onto the stack from Swift values.
    static func pushEvent(_ state: LuaState) {
        state.pushTable(fields: 10) { event in
            event.set("id", "wamid.HBgMNTUxMTk5OTk5ODg4OBUCABIYFjNFQjBDMEQ")
            event.set("conversation", Int64(1042))
            event.set("from", "5511999998888")
            event.set("phone", "5511999998888")
            event.set("name", "Ana")
            event.set("text", "qual o preço do plano?")
            event.set("is_group", false)
            event.set("at", Int64(1_764_400_000))
            event.set("user_id", "BR.12345")
            event.set("username", "ana.s")
        }
    }

    /// Median nanoseconds of one call from Swift into the sandboxed handler.
    func sandboxedCallNanoseconds() throws -> Double {
        let state = try LuaState()
        var replies = 0
        state.register("reply") { _, arguments throws(LuaError) in
            _ = try arguments.string(2, function: "msg:reply")
            replies += 1
            return []
        }
        _ = try state.call(try state.load(EngineBenchmark.bot, chunk: "bench/main.lua"))
        guard let dispatch = state.globalFunction("dispatch") else { throw ValidationError("the bot has no dispatch") }
        var samples: [Double] = []
        for _ in 0..<runs {
            let start = EngineBenchmark.cpuNanoseconds()
            for _ in 0..<calls {
                _ = try state.call(dispatch) { state in
                    state.pushString("message")
                    EngineBenchmark.pushEvent(state)
                    return 2
                }
            }
            samples.append(Double(EngineBenchmark.cpuNanoseconds() - start) / Double(calls))
        }
        guard replies == runs * calls else { throw ValidationError("the handler replied \(replies) times") }
        return EngineBenchmark.median(samples)
    }

    /// Median nanoseconds of the same handler in the plain interpreter, with a
    /// Lua stub for the host call and the event table built in Lua each time.
    func plainLuaCallNanoseconds(interpreter: String) throws -> Double {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("crm-bench-engine-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let script = folder.appendingPathComponent("floor.lua")
        try """
        local replies = 0
        function reply(msg, text) replies = replies + 1 end
        \(EngineBenchmark.bot)
        for run = 1, \(runs) do
          local start = os.clock()
          for i = 1, \(calls) do
            dispatch("message", { id = "wamid.HBgMNTUxMTk5OTk5ODg4OBUCABIYFjNFQjBDMEQ", conversation = 1042,
              from = "5511999998888", phone = "5511999998888", name = "Ana", text = "qual o preço do plano?",
              is_group = false, at = 1764400000, user_id = "BR.12345", username = "ana.s" })
          end
          print((os.clock() - start) * 1e9 / \(calls))
        end
        assert(replies == \(runs * calls))
        """.write(to: script, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [interpreter, script.path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let samples = String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { Double($0) }
        guard process.terminationStatus == 0, samples.count == runs else {
            throw ValidationError("\(interpreter) failed: is it installed (apt-get install lua5.4)?")
        }
        return EngineBenchmark.median(samples)
    }

    /// Bytes held by an idle sandboxed state with the bot loaded, and by a
    /// plain state with all standard libraries and nothing loaded.
    func idleMemory() throws -> (sandboxed: Int, plain: Int) {
        let state = try LuaState()
        state.register("reply") { _, _ throws(LuaError) in [] }
        _ = try state.call(try state.load(EngineBenchmark.bot, chunk: "bench/main.lua"))
        state.collectGarbage()
        let plain = try LuaState(sandboxed: false)
        plain.collectGarbage()
        return (state.memoryInUse, plain.memoryInUse)
    }

    /// CPU time of this process, the clock `os.clock` reads on the floor's
    /// side: on a machine shared with other work, wall time would count theirs.
    static func cpuNanoseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }

    static func median(_ samples: [Double]) -> Double {
        let sorted = samples.sorted()
        return sorted[sorted.count / 2]
    }
}
