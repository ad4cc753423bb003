import CRMCore
import CRMScripting
import Foundation
import XCTest

/// A scripts directory in a temporary folder, removed at the end of the test.
final class ScriptsFolder: Sendable {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("crm-scripts-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    /// Writes `text` to `path` (relative), creating folders; replaces atomically like an editor's save.
    func write(_ path: String, _ text: String) throws {
        let file = url.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: file, atomically: true, encoding: .utf8)
    }

    func remove(_ path: String) throws {
        try FileManager.default.removeItem(at: url.appendingPathComponent(path))
    }
}

/// An instance, a clock and one conversation with a contact, ready for events.
struct Scene {
    static let vendas = InstanceInfo(id: "instance-vendas", name: "vendas", phoneNumber: "5511999998888")
    static let clock = Date(timeIntervalSince1970: 1_796_040_000)

    let context: MemoryScriptContext
    let conversation: ConversationID

    init(instance: InstanceInfo = Scene.vendas, contact: String = "5511911112222") {
        context = MemoryScriptContext(instance: instance, now: Scene.clock)
        conversation = context.conversation(contact: ContactIdentity(phone: contact), key: contact, name: "João", group: nil)
        context.received(in: conversation, at: Scene.clock)
    }

    func message(_ text: String, id: String = "wamid.1") -> ScriptEvent {
        let view = context.conversation(conversation)!
        return .message(MessageEvent(whatsappID: id, conversation: conversation, contact: view.contact, name: "João",
                                     text: text, at: context.now))
    }
}

/// Loads `main` (and other files) as a bot folder named `vendas` and returns its runtime.
func runtime(_ main: String, files: [String: String] = [:], caps: ScriptCaps = ScriptCaps(),
             log: @escaping ScriptLogSink = { _ in }) throws -> ScriptRuntime {
    var all = ["vendas/main.lua": main]
    for (name, text) in files { all[name] = text }
    return try ScriptRuntime(sources: ScriptSources(folder: "vendas", files: all), instance: Scene.vendas, caps: caps, log: log)
}

/// Collects log lines from any thread.
final class LogLines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [ScriptLogEntry] = []
    var all: [ScriptLogEntry] { lock.withLock { lines } }
    func append(_ entry: ScriptLogEntry) { lock.withLock { lines.append(entry) } }
}
