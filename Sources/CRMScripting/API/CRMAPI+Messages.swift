import CRMCore
import Lua

extension CRMAPI {
    /// `crm.send(conversation, text_or_table)` and the host side of `msg:reply`.
    func installMessages(on state: LuaState) {
        state.register("send", in: "crm") { _, arguments throws(LuaError) in
            let scope = try scope("crm.send")
            let id = try CRMAPI.conversationID(arguments, 1, function: "crm.send")
            return try send(to: id, content: arguments.value(2), scope: scope, function: "crm.send")
        }
    }

    /// `msg:reply(text_or_table)`: a send to the message's own conversation.
    func replyFunction() -> LuaHostFunction {
        { _, arguments throws(LuaError) in
            let scope = try scope("msg:reply")
            guard let id = arguments.integerField(1, "conversation") else {
                throw LuaError(kind: .runtime, message: "msg:reply must be called with ':' on a message event")
            }
            return try send(to: id, content: arguments.value(2), scope: scope, function: "msg:reply")
        }
    }

    private func send(to id: ConversationID, content value: LuaValue, scope: EventScope,
                      function: String) throws(LuaError) -> [LuaValue] {
        try scope.requireOwned(id)
        let content = try CRMAPI.content(value, function: function, caps: scope.caps)
        if let text = content.text ?? content.media?.caption, text.utf8.count > scope.caps.textBytes {
            throw scope.limit("\(function): message of \(text.utf8.count) bytes, the limit is \(scope.caps.textBytes)")
        }
        try scope.record(.send(conversation: id, content: content), function: function)
        return []
    }

    /// Text, or a table `{text, media = {type, url, mime, caption}, template = {name, language, parameters}, reply_to}`.
    static func content(_ value: LuaValue, function: String, caps: ScriptCaps) throws(LuaError) -> OutgoingContent {
        if let text = value.stringValue {
            guard !text.isEmpty else { throw LuaError(kind: .runtime, message: "\(function): the message is empty") }
            return OutgoingContent(text: text)
        }
        guard let table = value.tableValue else {
            throw LuaError(kind: .runtime, message: "bad argument #2 to '\(function)' (text or table expected, got \(value.typeName))")
        }
        var content = OutgoingContent(text: table["text"].stringValue, replyTo: table["reply_to"].stringValue)
        if let media = table["media"].tableValue {
            guard let type = media["type"].stringValue else {
                throw LuaError(kind: .runtime, message: "\(function): media needs a type (image, audio, video, document…)")
            }
            content.media = Media(type: type, url: media["url"].stringValue, mime: media["mime"].stringValue,
                                  caption: media["caption"].stringValue)
        }
        if let template = table["template"].tableValue {
            guard let name = template["name"].stringValue else {
                throw LuaError(kind: .runtime, message: "\(function): template needs a name")
            }
            let parameters = (template["parameters"].tableValue?.sequence ?? []).map(LuaConversions.text)
            content.template = OutgoingContent.Template(name: name, language: template["language"].stringValue ?? "pt_BR",
                                                        parameters: parameters)
        }
        guard content.text?.isEmpty == false || content.media != nil || content.template != nil else {
            throw LuaError(kind: .runtime, message: "\(function): the message needs text, media or a template")
        }
        return content
    }
}
