import CRMCore
import Foundation
import Lua

extension CRMAPI {
    /// `crm.kv.get/set/incr/delete` (per instance, kept by storage) and `crm.after`.
    func installStorage(on state: LuaState) {
        state.register("get", in: "crm_kv") { _, arguments throws(LuaError) in
            let scope = try scope("crm.kv.get")
            let key = try CRMAPI.name(arguments, 1, function: "crm.kv.get", what: "key", caps: scope.caps)
            return [scope.kv(key).map(LuaConversions.value) ?? .nil]
        }
        state.register("set", in: "crm_kv") { _, arguments throws(LuaError) in
            let scope = try scope("crm.kv.set")
            let key = try CRMAPI.name(arguments, 1, function: "crm.kv.set", what: "key", caps: scope.caps)
            let value = try arguments.value(2)
            let json = value.isNil ? nil : try CRMAPI.payload(value, function: "crm.kv.set", scope: scope)
            try scope.record(.kvSet(key: key, value: json), function: "crm.kv.set")
            return []
        }
        state.register("delete", in: "crm_kv") { _, arguments throws(LuaError) in
            let scope = try scope("crm.kv.delete")
            let key = try CRMAPI.name(arguments, 1, function: "crm.kv.delete", what: "key", caps: scope.caps)
            try scope.record(.kvSet(key: key, value: nil), function: "crm.kv.delete")
            return []
        }
        state.register("incr", in: "crm_kv") { _, arguments throws(LuaError) in
            let scope = try scope("crm.kv.incr")
            let key = try CRMAPI.name(arguments, 1, function: "crm.kv.incr", what: "key", caps: scope.caps)
            let step = try arguments.value(2)
            guard step.isNil || step.integerValue != nil else {
                throw LuaError(kind: .runtime, message: "bad argument #2 to 'crm.kv.incr' (integer expected, got \(step.typeName))")
            }
            let current: Int64
            switch scope.kv(key) {
            case nil, .null?: current = 0
            case .integer(let number)?: current = number
            case .number(let number)? where Int64(exactly: number) != nil: current = Int64(number)
            default: throw LuaError(kind: .runtime, message: "crm.kv.incr: the value of '\(key)' is not an integer")
            }
            let (next, overflow) = current.addingReportingOverflow(step.integerValue ?? 1)
            guard !overflow else { throw LuaError(kind: .runtime, message: "crm.kv.incr: '\(key)' overflows") }
            try scope.record(.kvSet(key: key, value: .integer(next)), function: "crm.kv.incr")
            return [.integer(next)]
        }
        state.register("after", in: "crm") { _, arguments throws(LuaError) in
            let scope = try scope("crm.after")
            let delay = try arguments.value(1)
            guard let seconds = delay.numberValue, seconds >= 0, seconds <= scope.caps.longestTimerDelay else {
                throw LuaError(kind: .runtime, message: "bad argument #1 to 'crm.after' (seconds between 0 and \(Int(scope.caps.longestTimerDelay)) expected)")
            }
            let name = try CRMAPI.name(arguments, 2, function: "crm.after", what: "timer name", caps: scope.caps)
            let payload = try CRMAPI.payload(arguments.value(3), function: "crm.after", scope: scope)
            let dueAt = scope.context.now.addingTimeInterval(seconds)
            try scope.record(.timer(name: name, payload: payload, dueAt: dueAt), function: "crm.after")
            return [LuaConversions.seconds(dueAt)]
        }
    }

    /// A value to store: JSON within the size cap.
    static func payload(_ value: LuaValue, function: String, scope: EventScope) throws(LuaError) -> JSONValue {
        let json: JSONValue
        do { json = try LuaConversions.json(value) } catch {
            throw LuaError(kind: .runtime, message: "\(function): \(error.message)")
        }
        let size = JSONText.size(json)
        guard size <= scope.caps.valueBytes else {
            throw scope.limit("\(function): value of \(size) bytes, the limit is \(scope.caps.valueBytes)")
        }
        return json
    }
}
