import CRMCore
import Foundation
import Yams

/// A fixture file that cannot be read, with where and what to fix.
public struct FixtureError: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var message: String
    public var description: String { line.map { "\(file):\($0): \(message)" } ?? "\(file): \(message)" }
}

/// Reads fixture YAML into `FixtureFile`, keeping every node's line so that
/// failures point into the file.
struct FixtureParser {
    let path: String
    let folder: String

    func parse(_ yaml: String) throws(FixtureError) -> FixtureFile {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: yaml) else { throw fail(nil, "the file is empty") }
            root = node
        } catch let error as FixtureError {
            throw error
        } catch let error as YamlError {
            throw fail(nil, "not valid YAML: \(error)")
        } catch {
            throw fail(nil, "not valid YAML: \(error)")
        }
        guard root.mapping != nil else { throw fail(root, "expected a mapping with `cases:`") }
        try allowOnly(root, ["instance", "clock", "cases"])
        let instance = try instance(root["instance"])
        let clock = try root["clock"].map { node throws(FixtureError) in try date(node) }
        guard let casesNode = root["cases"], let items = casesNode.sequence else {
            throw fail(root, "`cases:` must be a list of cases")
        }
        var cases: [FixtureCase] = []
        for item in items { cases.append(try fixtureCase(item)) }
        return FixtureFile(path: path, folder: folder, instance: instance, clock: clock, cases: cases)
    }

    private func instance(_ node: Node?) throws(FixtureError) -> InstanceInfo {
        let isPhone = !folder.isEmpty && folder.allSatisfy(\.isNumber)
        var name = folder
        var phone: String? = isPhone ? folder : nil
        if let node {
            try allowOnly(node, ["name", "phone", "id"])
            name = node["name"]?.string ?? name
            phone = node["phone"]?.string.map(PhoneNumber.digits) ?? phone
        }
        return InstanceInfo(id: node?["id"]?.string ?? "fixture-\(name)", name: name, phoneNumber: phone)
    }

    private func fixtureCase(_ node: Node) throws(FixtureError) -> FixtureCase {
        try allowOnly(node, ["name", "clock", "kv", "events", "expect"])
        guard let name = node["name"]?.string else { throw fail(node, "every case needs a `name:`") }
        let clock = try node["clock"].map { node throws(FixtureError) in try date(node) }
        var kv: [String: JSONValue] = [:]
        if let kvNode = node["kv"] {
            guard let mapping = kvNode.mapping else { throw fail(kvNode, "`kv:` must map keys to values") }
            for (key, value) in mapping { kv[key.string ?? ""] = json(value) }
        }
        guard let eventsNode = node["events"], let items = eventsNode.sequence else {
            throw fail(node, "case '\(name)' needs `events:`, a list")
        }
        var events: [FixtureEvent] = []
        for item in items { events.append(try event(item)) }
        let expect = try expectation(node["expect"], caseNode: node)
        return FixtureCase(name: name, line: line(node), clock: clock, kv: kv, events: events, expect: expect)
    }

    private func event(_ node: Node) throws(FixtureError) -> FixtureEvent {
        guard let mapping = node.mapping, mapping.count == 1, let (keyNode, body) = mapping.first,
              let key = keyNode.string else {
            throw fail(node, "an event is one of message:, advance:, status:, connection:, timer:, operator:")
        }
        let kind: FixtureEvent.Kind
        switch key {
        case "message":
            try allowOnly(body, ["from", "name", "text", "id", "phone", "user_id", "username", "group", "media"])
            let from = body["from"]?.string
            let isPhone = from.map { !$0.isEmpty && $0.allSatisfy(\.isNumber) } ?? false
            let contact = ContactIdentity(phone: body["phone"]?.string ?? (isPhone ? from : nil),
                                          userID: body["user_id"]?.string ?? (isPhone ? nil : from),
                                          username: body["username"]?.string)
            guard let contactKey = contact.contactID else { throw fail(body, "a message needs `from:` (a phone or a user id)") }
            var group: GroupRef?
            if let groupNode = body["group"] {
                guard let id = groupNode["id"]?.string else { throw fail(groupNode, "a group needs an `id:`") }
                group = GroupRef(id: id, name: groupNode["name"]?.string)
            }
            var media: Media?
            if let mediaNode = body["media"] {
                guard let type = mediaNode["type"]?.string else { throw fail(mediaNode, "media needs a `type:`") }
                media = Media(type: type, url: mediaNode["url"]?.string, mime: mediaNode["mime"]?.string,
                              caption: mediaNode["caption"]?.string)
            }
            kind = .message(contact: contact, key: contactKey, name: body["name"]?.string, text: body["text"]?.string ?? "",
                            id: body["id"]?.string, group: group, media: media)
        case "advance":
            guard let text = body.string, let seconds = FixtureParser.duration(text) else {
                throw fail(body, "advance takes a duration like 30s, 10m, 2h, 1d or 1h30m, of at most 100 years")
            }
            kind = .advance(seconds: seconds)
        case "status":
            try allowOnly(body, ["to", "status", "reason"])
            guard let to = body["to"]?.string, let status = body["status"]?.string.flatMap(DeliveryStatus.init(rawValue:)) else {
                throw fail(body, "status needs `to:` and `status:` (sent, delivered, read or failed)")
            }
            kind = .status(contact: to, status: status, reason: body["reason"]?.string)
        case "connection":
            try allowOnly(body, ["status", "phone", "reason"])
            guard let status = body["status"]?.string.flatMap({ InstanceStatus(rawValue: $0.uppercased()) }) else {
                throw fail(body, "connection needs `status:` (CONNECTED, DISCONNECTED, …)")
            }
            kind = .connection(ConnectionEvent(status: status, phoneNumber: body["phone"]?.string, reason: body["reason"]?.string))
        case "timer":
            try allowOnly(body, ["name", "payload"])
            guard let name = body["name"]?.string else { throw fail(body, "timer needs a `name:`") }
            kind = .timer(name: name, payload: body["payload"].map(json) ?? .null)
        case "operator":
            try allowOnly(body, ["to", "text"])
            guard let to = body["to"]?.string else { throw fail(body, "operator needs `to:` (the contact)") }
            kind = .operatorReply(contact: to)
        default:
            throw fail(keyNode, "unknown event '\(key)' (message, advance, status, connection, timer, operator)")
        }
        return FixtureEvent(kind: kind, line: line(node))
    }

    private func expectation(_ node: Node?, caseNode: Node) throws(FixtureError) -> FixtureExpectation {
        var expect = FixtureExpectation(sends: nil, sendsLine: line(caseNode))
        guard let node else { return expect }
        try allowOnly(node, ["sends", "allow_other_sends", "tags", "assign", "kv", "error"])
        if let sendsNode = node["sends"] {
            guard let items = sendsNode.sequence else { throw fail(sendsNode, "`sends:` must be a list") }
            expect.sendsLine = line(sendsNode)
            var sends: [FixtureExpectation.Send] = []
            for item in items {
                try allowOnly(item, ["to", "text", "media", "template"])
                let text = try item["text"]?.string.map { source throws(FixtureError) in try matcher(source, item) }
                sends.append(FixtureExpectation.Send(to: item["to"]?.string, text: text, media: item["media"]?.string,
                                                     template: item["template"]?.string, line: line(item)))
            }
            expect.sends = sends
        }
        expect.allowOtherSends = node["allow_other_sends"]?.bool ?? false
        if let tagsNode = node["tags"] {
            guard let mapping = tagsNode.mapping else { throw fail(tagsNode, "`tags:` maps a contact to its tags") }
            for (contact, list) in mapping {
                let tags = list.sequence?.compactMap(\.string) ?? list.string.map { [$0] } ?? []
                expect.tags.append((contact.string ?? "", tags, line(contact)))
            }
        }
        if let assignNode = node["assign"] {
            guard let mapping = assignNode.mapping else { throw fail(assignNode, "`assign:` maps a contact to a queue") }
            for (contact, queue) in mapping {
                expect.assign.append((contact.string ?? "", queue.null == nil ? queue.string : nil, line(contact)))
            }
        }
        if let kvNode = node["kv"] {
            guard let mapping = kvNode.mapping else { throw fail(kvNode, "`kv:` maps keys to values") }
            for (key, value) in mapping {
                let json = json(value)
                expect.kv.append((key.string ?? "", json == .null ? nil : json, line(key)))
            }
        }
        if let errorNode = node["error"], let source = errorNode.string {
            expect.error = try matcher(source, errorNode)
            expect.errorLine = line(errorNode)
        }
        return expect
    }

    private func matcher(_ source: String, _ node: Node) throws(FixtureError) -> TextMatcher {
        let matcher = TextMatcher(source)
        guard matcher.isValid else { throw fail(node, "\(source) is not a valid regular expression") }
        return matcher
    }

    private func date(_ node: Node) throws(FixtureError) -> Date {
        guard let text = node.string, let date = FixtureParser.date(text) else {
            throw fail(node, "a clock is an ISO-8601 time with its offset, like 2026-11-30T10:00:00-03:00")
        }
        return date
    }

    static func date(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }

    /// Longest `advance`: far beyond any timer (`crm.after` waits 90 days at
    /// most), and far inside what the clock turns into epoch seconds.
    static let longestAdvance: TimeInterval = 100 * 365 * 86_400

    /// `90`, `30s`, `10m`, `2h`, `1d`, `1h30m` in seconds, from 0 to
    /// `longestAdvance`: the clock never goes back, and never to a time
    /// (infinite, not a number) the scripts' seconds cannot hold.
    static func duration(_ text: String) -> TimeInterval? {
        guard let seconds = anyDuration(text), seconds >= 0, seconds <= longestAdvance else { return nil }
        return seconds
    }

    private static func anyDuration(_ text: String) -> TimeInterval? {
        if let seconds = Double(text) { return seconds }
        var total = 0.0
        var number = ""
        for character in text where character != " " {
            if character.isNumber || character == "." { number.append(character); continue }
            guard let value = Double(number) else { return nil }
            switch character {
            case "s": total += value
            case "m": total += value * 60
            case "h": total += value * 3600
            case "d": total += value * 86400
            default: return nil
            }
            number = ""
        }
        return number.isEmpty && total > 0 ? total : nil
    }

    private func json(_ node: Node) -> JSONValue {
        switch node {
        case .scalar(let scalar):
            if scalar.style == .singleQuoted || scalar.style == .doubleQuoted { return .string(scalar.string) }
            if node.null != nil { return .null }
            if let flag = node.bool { return .bool(flag) }
            if let integer = node.int { return .integer(Int64(integer)) }
            if let number = node.float { return .number(number) }
            return .string(scalar.string)
        case .sequence(let sequence):
            return .array(sequence.map(json))
        case .mapping(let mapping):
            var object: [String: JSONValue] = [:]
            for (key, value) in mapping { object[key.string ?? ""] = json(value) }
            return .object(object)
        case .alias:
            return .null
        }
    }

    private func allowOnly(_ node: Node, _ keys: Set<String>) throws(FixtureError) {
        guard let mapping = node.mapping else { throw fail(node, "expected a mapping of \(keys.sorted().joined(separator: ", "))") }
        for key in mapping.keys {
            guard let name = key.string, keys.contains(name) else {
                throw fail(key, "unknown field '\(key.string ?? "?")' (expected one of \(keys.sorted().joined(separator: ", ")))")
            }
        }
    }

    private func line(_ node: Node) -> Int { node.mark?.line ?? 0 }

    private func fail(_ node: Node?, _ message: String) -> FixtureError {
        FixtureError(file: path, line: node?.mark?.line, message: message)
    }
}
