import CRMCore
import Foundation
import Lua

/// Plain values of the domain as Lua tables, and back.
enum LuaConversions {
    /// Whole epoch seconds, like `os.time()`: what `os.date` and bots' arithmetic expect.
    static func seconds(_ date: Date) -> LuaValue {
        .integer(Int64(date.timeIntervalSince1970.rounded(.down)))
    }

    static func optional(_ text: String?) -> LuaValue { text.map(LuaValue.text) ?? .nil }

    /// The event table handlers receive (SPEC §6).
    static func table(for event: ScriptEvent) -> LuaValue {
        switch event {
        case .message(let message):
            var table = LuaTable([
                "id": .text(message.whatsappID),
                "conversation": .integer(message.conversation),
                "from": optional(message.sender ?? message.contact.contactID),
                "phone": optional(message.contact.phone),
                "user_id": optional(message.contact.userID),
                "username": optional(message.contact.username),
                "name": optional(message.name),
                "text": .text(message.text),
                "is_group": .boolean(message.group != nil),
                "sender": optional(message.sender),
                "at": seconds(message.at),
            ])
            if let group = message.group {
                table["group"] = .table(LuaTable(["id": .text(group.id), "name": optional(group.name)]))
            }
            if let media = message.media { table["media"] = .table(self.table(for: media)) }
            return .table(table)
        case .status(let status):
            return .table(LuaTable([
                "id": .text(status.messageID),
                "conversation": .integer(status.conversation),
                "status": .text(status.status.rawValue),
                "reason": optional(status.reason),
                "at": seconds(status.at),
            ]))
        case .connection(let connection):
            return .table(LuaTable([
                "status": .text(connection.status.rawValue),
                "phone_number": optional(connection.phoneNumber),
                "reason": optional(connection.reason),
            ]))
        case .timer(let timer):
            return .table(LuaTable([
                "name": .text(timer.name),
                "payload": value(timer.payload),
                "due_at": seconds(timer.dueAt),
            ]))
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
