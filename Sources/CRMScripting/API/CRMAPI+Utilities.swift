import CRMCore
import Foundation
import Lua

extension CRMAPI {
    /// `crm.now`, `crm.json`, `crm.log`, and where `print` and `warn` go: they act on nothing outside the script.
    func installUtilities(on state: LuaState) {
        state.register("now", in: "crm") { _, _ in
            [LuaConversions.seconds(binding.scope?.context.now ?? Date())]
        }
        state.register("encode", in: "crm_json") { _, arguments throws(LuaError) in
            do { return [.text(try JSONText.encode(LuaConversions.json(arguments.value(1))))] } catch let error as LuaError {
                throw LuaError(kind: .runtime, message: "crm.json.encode: \(error.message)")
            } catch {
                throw LuaError(kind: .runtime, message: "crm.json.encode: \(error)")
            }
        }
        state.register("decode", in: "crm_json") { _, arguments throws(LuaError) in
            let text = try arguments.string(1, function: "crm.json.decode")
            guard text.utf8.count <= binding.caps.jsonTextBytes else {
                throw LuaError(kind: .runtime, message: "crm.json.decode: text of \(text.utf8.count) bytes, the limit is \(binding.caps.jsonTextBytes)")
            }
            do {
                return [LuaConversions.value(try JSONText.decode(text))]
            } catch {
                throw LuaError(kind: .runtime, message: "crm.json.decode: \(error)")
            }
        }
        for level in [ScriptLogEntry.Level.info, .warn, .error] {
            state.register(level.rawValue, in: "crm_log") { _, arguments throws(LuaError) in
                log(level, arguments)
                return []
            }
        }
        state.printHandler = { [binding] line in binding.write(.info, line) }
        state.warningHandler = { [binding] line in binding.write(.warn, line) }
    }

    private func log(_ level: ScriptLogEntry.Level, _ arguments: LuaArguments) {
        var parts: [String] = []
        for position in 0..<arguments.count {
            parts.append((try? arguments.value(position + 1)).map(LuaConversions.text) ?? "?")
        }
        binding.write(level, parts.joined(separator: " "))
    }
}

extension CRMAPI.Binding {
    /// Passes a line to the sink, up to the cap of lines per event.
    func write(_ level: ScriptLogEntry.Level, _ message: String) {
        logLines += 1
        let name = scope?.instanceName ?? instanceName
        guard logLines <= caps.logLinesPerEvent else {
            if logLines == caps.logLinesPerEvent + 1 {
                log(ScriptLogEntry(instance: name, level: .warn,
                                   message: "further log lines of this event dropped (the limit is \(caps.logLinesPerEvent))"))
            }
            return
        }
        log(ScriptLogEntry(instance: name, level: level, message: message))
    }
}
