import CRMCore
import CRMScripting
import Foundation
import Lua

/// The sandbox and the `crm` API: a generated `main.lua` loaded in a real
/// `ScriptRuntime` with short limits, then its handler run for two messages
/// and a timer against an in-memory world.
///
/// Invariants: nothing traps; loading fails with a typed `ScriptFailure` or
/// succeeds; every call returns within its deadline plus `margin`; what an
/// event asks for stays within the caps (sends, actions, text, names); the
/// process's memory stays within a bound far above one state's cap.
final class LuaTarget: FuzzTarget {
    let name = "lua"
    let hangLimit: Duration = .seconds(20)
    /// How far past its deadline a call may return: 100 ms in long runs,
    /// the hardening issue's bound.
    let margin: Duration
    /// Resident memory the process may gain over the run: a few states at
    /// their cap, never the gigabytes of an uncapped copy.
    static let memoryGrowth = 1 << 30

    let caps: ScriptCaps = {
        var caps = ScriptCaps()
        caps.lua.memory = 16 << 20
        caps.lua.instructionsPerCall = 2_000_000
        caps.lua.timePerCall = .milliseconds(200)
        caps.loadInstructions = 2_000_000
        return caps
    }()

    private let startingMemory = ResidentMemory.bytes()

    init(margin: Duration) { self.margin = margin }

    var seeds: [[UInt8]] {
        var random = FuzzRandom(seed: 7)
        return (0..<16).map { _ in
            var grammar = LuaGrammar(using: FuzzRandom(seed: random.next()))
            return Array(grammar.program().utf8)
        }
    }

    func mutate(_ input: [UInt8], using random: inout FuzzRandom) -> [UInt8] {
        var grammar = LuaGrammar(using: FuzzRandom(seed: random.next()))
        var lines = String(decoding: input, as: UTF8.self).components(separatedBy: "\n")
        // The handler's lines lie between `on("message", function(msg)` and its `end)`.
        guard let open = lines.firstIndex(of: "on(\"message\", function(msg)"), let close = lines.firstIndex(of: "end)"),
              open < close, !random.oneIn(10) else {
            return Array(grammar.program().utf8)
        }
        let inside = open + 1 + random.below(max(close - open - 1, 1))
        switch random.below(5) {
        case 0, 1: lines.insert(grammar.statement(), at: inside)
        case 2 where close - open > 2: lines[inside] = grammar.statement()
        case 3 where close - open > 2: lines.remove(at: inside)
        default: lines.insert(grammar.statement(), at: random.below(open + 1))
        }
        return Array(lines.joined(separator: "\n").utf8)
    }

    func run(_ input: [UInt8]) throws(FuzzFailure) -> Bool {
        let sources = ScriptSources(folder: "fuzz", files: ["fuzz/main.lua": String(decoding: input, as: UTF8.self)])
        let instance = InstanceInfo(id: "inst-fuzz", name: "fuzz", phoneNumber: "5511999998888")
        let clock = ContinuousClock()
        var started = clock.now
        let runtime: ScriptRuntime
        do {
            runtime = try ScriptRuntime(sources: sources, instance: instance, caps: caps) { _ in }
            try withinDeadline(clock.now - started, "loading main.lua")
        } catch let failure as ScriptFailure {
            try withinDeadline(clock.now - started, "loading main.lua (\(failure.kind))")
            return false
        } catch {
            throw error as! FuzzFailure
        }
        let world = MemoryScriptContext(instance: instance, now: Date(timeIntervalSince1970: 1_793_534_400))
        let contact = ContactIdentity(phone: "5511911112222")
        let conversation = world.conversation(contact: contact, key: "5511911112222", name: "João", group: nil)
        let events: [ScriptEvent] = [
            .message(MessageEvent(whatsappID: "wamid.1", conversation: conversation, contact: contact, name: "João",
                                  text: "qual o preço?", at: world.now)),
            .message(MessageEvent(whatsappID: "wamid.2", conversation: conversation, contact: contact, name: nil, text: "",
                                  media: Media(type: "image", url: "media:1"), at: world.now)),
            .timer(TimerEvent(name: "t", payload: .object(["n": .integer(1)]), dueAt: world.now)),
        ]
        var handled = false
        for event in events {
            started = clock.now
            let outcome = runtime.handle(event, context: world)
            try withinDeadline(clock.now - started, "handling \(event.name)")
            try withinCaps(outcome)
            if outcome.failure == nil { world.apply(outcome.actions); handled = true }
        }
        let grown = ResidentMemory.bytes() - startingMemory
        guard grown < LuaTarget.memoryGrowth else {
            throw FuzzFailure("the process grew by \(grown >> 20) MiB of resident memory")
        }
        return handled
    }

    private func withinDeadline(_ took: Duration, _ what: String) throws(FuzzFailure) {
        guard took <= caps.lua.timePerCall + margin else {
            throw FuzzFailure("\(what) took \(took), the deadline is \(caps.lua.timePerCall) (+\(margin))")
        }
    }

    private func withinCaps(_ outcome: ScriptOutcome) throws(FuzzFailure) {
        guard outcome.actions.count <= caps.actionsPerEvent else { throw FuzzFailure("\(outcome.actions.count) actions in one event") }
        var sends = 0
        for action in outcome.actions {
            switch action {
            case .send(_, let content):
                sends += 1
                guard (content.text ?? "").utf8.count <= caps.textBytes else { throw FuzzFailure("a send of more than \(caps.textBytes) bytes") }
            case .tag(_, let name), .untag(_, let name):
                guard !name.isEmpty, name.utf8.count <= caps.nameBytes else { throw FuzzFailure("a tag outside the cap: \(name.utf8.count) bytes") }
            case .kvSet(let key, _):
                guard !key.isEmpty, key.utf8.count <= caps.nameBytes else { throw FuzzFailure("a kv key outside the cap") }
            default:
                break
            }
        }
        guard sends <= caps.sendsPerEvent else { throw FuzzFailure("\(sends) sends in one event") }
    }
}

/// The process's resident set, from `/proc/self/statm`.
enum ResidentMemory {
    static func bytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let pages = text.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
