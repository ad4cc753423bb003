import CRMCore
import Foundation
import Lua

/// Plain values of the domain as Lua tables, and back.
enum LuaConversions {
    /// Whole epoch seconds, like `os.time()`: what `os.date` and bots' arithmetic expect.
    static func seconds(_ date: Date) -> LuaValue { .integer(wholeSeconds(date)) }

    static func wholeSeconds(_ date: Date) -> Int64 { date.wholeSecondsSince1970 }

    static func optional(_ text: String?) -> LuaValue { text.map(LuaValue.text) ?? .nil }

    /// Pushes the event table handlers receive (SPEC §6), written straight onto
    /// the state's stack: this runs for every event.
    static func push(_ event: ScriptEvent, into state: LuaState) {
        switch event {
        case .message(let message):
            state.pushTable(fields: 12) { table in
                table.set("id", message.whatsappID)
                table.set("conversation", message.conversation)
                table.set("from", message.sender ?? message.contact.contactID)
                table.set("phone", message.contact.phone)
                table.set("user_id", message.contact.userID)
                table.set("username", message.contact.username)
                table.set("name", message.name)
                table.set("text", message.text)
                table.set("is_group", message.group != nil)
                table.set("sender", message.sender)
                table.set("at", wholeSeconds(message.at))
                if let group = message.group {
                    table.table("group", fields: 2) { fields in
                        fields.set("id", group.id)
                        fields.set("name", group.name)
                    }
                }
                if let media = message.media { table.set("media", .table(self.table(for: media))) }
            }
        case .status(let status):
            state.pushTable(fields: 5) { table in
                table.set("id", status.messageID)
                table.set("conversation", status.conversation)
                table.set("status", status.status.rawValue)
                table.set("reason", status.reason)
                table.set("at", wholeSeconds(status.at))
            }
        case .connection(let connection):
            state.pushTable(fields: 3) { table in
                table.set("status", connection.status.rawValue)
                table.set("phone_number", connection.phoneNumber)
                table.set("reason", connection.reason)
            }
        case .timer(let timer):
            state.pushTable(fields: 3) { table in
                table.set("name", timer.name)
                table.set("payload", value(timer.payload))
                table.set("due_at", wholeSeconds(timer.dueAt))
            }
        }
    }

    static func table(for media: Media) -> LuaTable {
        LuaTable(["type": .text(media.type), "url": optional(media.url), "mime": optional(media.mime),
                  "caption": optional(media.caption)])
    }

    /// `crm.instance`.
    static func table(for instance: InstanceInfo) -> LuaValue {
        .table(LuaTable(["id": .text(instance.id), "name": .text(instance.name),
                         "phone_number": optional(instance.phoneNumber)]))
    }

    /// `crm.conversation(id)`.
    static func table(for view: ConversationView) -> LuaValue {
        var table = LuaTable([
            "id": .integer(view.id),
            "contact_id": .text(view.contactID),
            "phone": optional(view.contact.phone),
            "user_id": optional(view.contact.userID),
            "username": optional(view.contact.username),
            "name": optional(view.contactName),
            "is_group": .boolean(view.isGroup),
            "group_name": optional(view.groupName),
            "assignee": optional(view.assignee),
            "tags": .table(LuaTable(sequence: view.tags.map(LuaValue.text))),
            "unread_count": .integer(Int64(view.unreadCount)),
        ])
        if let at = view.lastMessageAt { table["last_message_at"] = seconds(at) }
        if let at = view.lastInboundAt { table["last_inbound_at"] = seconds(at) }
        if let at = view.lastOperatorReplyAt { table["last_operator_reply_at"] = seconds(at) }
        return .table(table)
    }

    /// JSON into Lua: objects and arrays become tables, null becomes nil.
    static func value(_ json: JSONValue) -> LuaValue {
        switch json {
        case .null: return .nil
        case .bool(let flag): return .boolean(flag)
        case .integer(let number): return .integer(number)
        case .number(let number): return .number(number)
        case .string(let text): return .text(text)
        case .array(let elements): return .table(LuaTable(sequence: elements.map(value)))
        case .object(let fields): return .table(LuaTable(fields.mapValues(value)))
        }
    }

    /// Lua into JSON: a table with only a sequence is an array, anything else an
    /// object whose keys are written as text.
    static func json(_ value: LuaValue) throws(LuaError) -> JSONValue {
        switch value {
        case .nil: return .null
        case .boolean(let flag): return .bool(flag)
        case .integer(let number): return .integer(number)
        case .number(let number):
            guard number.isFinite else { throw LuaError(kind: .conversion, message: "\(number) cannot be written as JSON") }
            return .number(number)
        case .string(let bytes): return .string(String(decoding: bytes, as: UTF8.self))
        case .table(let table):
            if table.fields.isEmpty, !table.sequence.isEmpty {
                var elements: [JSONValue] = []
                for element in table.sequence { elements.append(try json(element)) }
                return .array(elements)
            }
            var object: [String: JSONValue] = [:]
            for (offset, element) in table.sequence.enumerated() { object[String(offset + 1)] = try json(element) }
            for (key, element) in table.fields {
                let name: String
                switch key {
                case .string(let bytes): name = String(decoding: bytes, as: UTF8.self)
                case .integer(let number): name = String(number)
                case .number(let number): name = String(number)
                case .boolean(let flag): name = String(flag)
                default: throw LuaError(kind: .conversion, message: "a \(key.typeName) key cannot be written as JSON")
                }
                object[name] = try json(element)
            }
            return .object(object)
        }
    }

    /// What a log line shows of a value.
    static func text(_ value: LuaValue) -> String {
        switch value {
        case .string(let bytes): return String(decoding: bytes, as: UTF8.self)
        case .nil: return "nil"
        case .boolean(let flag): return String(flag)
        case .integer(let number): return String(number)
        case .number(let number): return String(number)
        case .table: return (try? JSONText.encode(json(value))) ?? "table"
        }
    }
}
