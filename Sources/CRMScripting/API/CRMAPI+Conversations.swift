import CRMCore
import Lua

extension CRMAPI {
    /// `crm.tag`, `crm.untag`, `crm.tags`, `crm.assign`, `crm.conversation`.
    func installConversations(on state: LuaState) {
        state.register("tag", in: "crm") { _, arguments throws(LuaError) in
            let scope = try scope("crm.tag")
            let id = try CRMAPI.conversationID(arguments, 1, function: "crm.tag")
            let tag = try CRMAPI.name(arguments, 2, function: "crm.tag", what: "tag", caps: scope.caps)
            try scope.requireOwned(id)
            try scope.record(.tag(conversation: id, tag: tag), function: "crm.tag")
            return []
        }
        state.register("untag", in: "crm") { _, arguments throws(LuaError) in
            let scope = try scope("crm.untag")
            let id = try CRMAPI.conversationID(arguments, 1, function: "crm.untag")
            let tag = try CRMAPI.name(arguments, 2, function: "crm.untag", what: "tag", caps: scope.caps)
            try scope.requireOwned(id)
            try scope.record(.untag(conversation: id, tag: tag), function: "crm.untag")
            return []
        }
        state.register("tags", in: "crm") { _, arguments throws(LuaError) in
            let scope = try scope("crm.tags")
            let id = try CRMAPI.conversationID(arguments, 1, function: "crm.tags")
            return [.table(LuaTable(sequence: try scope.conversation(id).tags.map(LuaValue.text)))]
        }
        state.register("assign", in: "crm") { _, arguments throws(LuaError) in
            let scope = try scope("crm.assign")
            let id = try CRMAPI.conversationID(arguments, 1, function: "crm.assign")
            let queue = try arguments.value(2).isNil
                ? nil : try CRMAPI.name(arguments, 2, function: "crm.assign", what: "queue", caps: scope.caps)
            try scope.requireOwned(id)
            try scope.record(.assign(conversation: id, queue: queue), function: "crm.assign")
            return []
        }
        state.register("conversation", in: "crm") { _, arguments throws(LuaError) in
            let scope = try scope("crm.conversation")
            let id = try CRMAPI.conversationID(arguments, 1, function: "crm.conversation")
            return [LuaConversions.table(for: try scope.conversation(id))]
        }
    }
}
