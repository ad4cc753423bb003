import CRMCore

/// Webhook bodies shaped like Meta's: every kind of message the host reads,
/// receipts, errors and number changes. The mutations start from these.
enum CloudPayloadSeeds {
    static func envelope(_ value: [String: JSONValue], phoneNumberID: String = FuzzHost.phoneNumberID) -> JSONValue {
        var value = value
        value["messaging_product"] = .string("whatsapp")
        value["metadata"] = .object(["display_phone_number": .string("15550001111"), "phone_number_id": .string(phoneNumberID)])
        return .object(["object": .string("whatsapp_business_account"),
                        "entry": .array([.object(["id": .string("WABA"),
                                                  "changes": .array([.object(["field": .string("messages"), "value": .object(value)])])])])])
    }

    static func contact(_ phone: String, name: String = "João") -> JSONValue {
        .object(["profile": .object(["name": .string(name)]), "wa_id": .string(phone)])
    }

    static func message(_ id: String, type: String, _ part: JSONValue?, from: String = "5511911112222",
                        timestamp: String = "1764410000") -> JSONValue {
        var fields: [String: JSONValue] = ["from": .string(from), "id": .string(id), "timestamp": .string(timestamp),
                                           "type": .string(type)]
        if let part { fields[type] = part }
        return .object(fields)
    }

    static let all: [JSONValue] = [
        envelope(["contacts": .array([contact("5511911112222")]),
                  "messages": .array([message("wamid.T", type: "text", .object(["body": .string("qual o preço?")]))])]),
        envelope(["contacts": .array([contact("5511911112222")]),
                  "messages": .array([message("wamid.I", type: "image", .object(["id": .string("M1"), "mime_type": .string("image/jpeg"),
                                                                                 "caption": .string("foto")]))])]),
        envelope(["messages": .array([message("wamid.L", type: "location",
                                               .object(["latitude": .number(-23.5), "longitude": .number(-46.6), "name": .string("Loja")]))])]),
        envelope(["messages": .array([message("wamid.B", type: "interactive",
                                               .object(["type": .string("button_reply"),
                                                        "button_reply": .object(["id": .string("yes"), "title": .string("Sim")])]))])]),
        envelope(["messages": .array([message("wamid.R", type: "reaction",
                                               .object(["message_id": .string("wamid.OUT"), "emoji": .string("👍")]))])]),
        envelope(["messages": .array([message("wamid.C", type: "contacts", nil)
                                          .merging(["contacts": .array([.object(["name": .object(["formatted_name": .string("Ana")]),
                                                                                 "phones": .array([.object(["phone": .string("+55 11 9")])])])])])])]),
        envelope(["messages": .array([.object(["from": .string("5511911112222"), "id": .string("wamid.S"), "type": .string("system"),
                                               "system": .object(["type": .string("user_changed_number"), "body": .string("changed"),
                                                                  "new_wa_id": .string("5511933334444")])])])]),
        envelope(["statuses": .array([.object(["id": .string("wamid.OUT"), "status": .string("failed"), "timestamp": .string("1764410001"),
                                               "recipient_id": .string("5511911112222"),
                                               "errors": .array([.object(["code": .integer(131026), "title": .string("undeliverable"),
                                                                          "error_data": .object(["details": .string("unreachable")])])])])])]),
        envelope(["errors": .array([.object(["code": .integer(131000), "message": .string("Something went wrong")])])]),
        envelope(["contacts": .array([.object(["profile": .object(["username": .string("joao.silva")]), "user_id": .string("BR.15")])]),
                  "messages": .array([.object(["from_user_id": .string("BR.15"), "id": .string("wamid.U"), "timestamp": .string("1764410002"),
                                               "type": .string("text"), "text": .object(["body": .string("oi")])])])]),
        envelope(["messages": .array([message("wamid.F", type: "text", .object(["body": .string("outro número")]))])], phoneNumberID: "OTHER"),
    ]

    /// Values the payload's fields meet at their edges: timestamps and
    /// numbers out of range, ids that are empty or huge, text in every script.
    static func fieldValue(for key: String, using random: inout FuzzRandom) -> JSONValue {
        switch key {
        case "timestamp":
            return .string(random.pick(["1e19", "-100000000000", "9223372036854775807", "-9223372036854775808", "1e308", "-1e308",
                                        "nan", "inf", "-0", "0", "", "1764410000.999", "253402300800", "-62135596801", "0x10", " 1"]))
        case "latitude", "longitude":
            return .number(random.pick([1e308, -1e308, 5e-324, 91, -181, 0]))
        case "code":
            return random.oneIn(2) ? .integer(random.pick([Int64.max, Int64.min, 0, -1])) : .number(random.pick([1e19, 1.5]))
        case "phone_number_id" where !random.oneIn(4):
            return .string(FuzzHost.phoneNumberID)
        case "status":
            return .string(random.pick(["sent", "delivered", "read", "failed", "queued", "deleted", "", "SENT"]))
        case "type":
            return .string(random.pick(["text", "image", "audio", "video", "document", "sticker", "location", "contacts",
                                        "interactive", "button", "reaction", "system", "unsupported", "user_changed_user_id"]))
        default:
            return JSONTree.interesting(using: &random)
        }
    }
}

extension JSONValue {
    func merging(_ other: [String: JSONValue]) -> JSONValue {
        guard case .object(let members) = self else { return self }
        return .object(members.merging(other) { $1 })
    }
}
