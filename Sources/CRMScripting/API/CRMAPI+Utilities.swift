import CRMCore
import Foundation
import Lua

extension CRMAPI {
    /// `crm.now`, `crm.json`, `crm.log` and `print`: they act on nothing outside the script.
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
            guard let value = try? JSONText.decode(text) else {
                throw LuaError(kind: .runtime, message: "crm.json.decode: not valid JSON")
            }
            return [LuaConversions.value(value)]
        }
        for level in [ScriptLogEntry.Level.info, .warn, .error] {
            state.register(level.rawValue, in: "crm_log") { _, arguments throws(LuaError) in
                log(level, arguments)
                return []
            }
        }
        state.register("print") { _, arguments throws(LuaError) in
            log(.info, arguments)
            return []
        }
    }

    private func log(_ level: ScriptLogEntry.Level, _ arguments: LuaArguments) {
        var parts: [String] = []
        for position in 0..<arguments.count {
            parts.append((try? arguments.value(position + 1)).map(LuaConversions.text) ?? "?")
        }
        let name = binding.scope?.instanceName ?? binding.instanceName
        binding.log(ScriptLogEntry(instance: name, level: level, message: parts.joined(separator: " ")))
    }
}
