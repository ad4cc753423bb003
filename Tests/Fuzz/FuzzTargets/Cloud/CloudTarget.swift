import CRMCore
import CRMSessions
import Foundation

/// A Cloud API webhook, from its bytes to storage and back out of the API:
/// signature, `CloudWebhook.parse`, the pipeline with a bot, the inbox's
/// listings written by `JSONWriter`.
///
/// An input is a first line (`signed`, `unsigned` or `forged`) and the body.
/// Invariants: parsing never traps and a body is either events or
/// `MalformedBody`; the answer over HTTP is 401 for an unsigned or forged
/// body, 400 for a malformed one, 200 or a pipeline refusal (never a 5xx but
/// 503) otherwise; after a stored message the conversations and their
/// messages still list as valid JSON.
final class CloudTarget: FuzzTarget {
    let name = "cloud"
    let hangLimit: Duration = .seconds(30)
    private let host: FuzzHost
    private var wamids = 0

    init(host: FuzzHost) { self.host = host }

    var seeds: [[UInt8]] {
        CloudPayloadSeeds.all.map { payload in
            var spelling = JSONSpelling(using: FuzzRandom(seed: 0))
            spelling.write(payload)
            return Array("signed\n".utf8) + spelling.text
        }
    }

    func mutate(_ input: [UInt8], using random: inout FuzzRandom) -> [UInt8] {
        var (mode, body) = CloudTarget.split(input)
        if random.oneIn(12) { mode = random.pick(["unsigned", "forged"]) } else if random.oneIn(4) { mode = "signed" }
        if let tree = try? JSONReader.parse(body), !random.oneIn(6) {
            let changed = random.oneIn(3) ? JSONTree.mutate(tree, using: &random) : CloudTarget.mutateField(tree, using: &random)
            var spelling = JSONSpelling(using: FuzzRandom(seed: random.next()))
            spelling.write(changed)
            body = spelling.text
        } else {
            body = ByteMutations.mutate(body, using: &random)
        }
        return Array("\(mode)\n".utf8) + body
    }

    /// Sets one member somewhere in the payload to a value at its field's edge.
    static func mutateField(_ value: JSONValue, using random: inout FuzzRandom) -> JSONValue {
        var objects = 0
        countObjects(value, &objects)
        var remaining = random.below(max(objects, 1))
        return setField(value, &remaining, using: &random)
    }

    private static func countObjects(_ value: JSONValue, _ count: inout Int) {
        switch value {
        case .object(let members): count += 1; members.values.forEach { countObjects($0, &count) }
        case .array(let elements): elements.forEach { countObjects($0, &count) }
        default: break
        }
    }

    private static func setField(_ value: JSONValue, _ remaining: inout Int, using random: inout FuzzRandom) -> JSONValue {
        switch value {
        case .object(var members):
            if remaining == 0 {
                remaining = -1
                let key = members.isEmpty || random.oneIn(5)
                    ? random.pick(["timestamp", "id", "from", "type", "text", "status", "code", "latitude", "messages", "statuses"])
                    : members.keys.sorted()[random.below(members.count)]
                members[key] = CloudPayloadSeeds.fieldValue(for: key, using: &random)
                return .object(members)
            }
            remaining -= 1
            for key in members.keys.sorted() where remaining >= 0 { members[key] = setField(members[key]!, &remaining, using: &random) }
            return .object(members)
        case .array(var elements):
            for index in elements.indices where remaining >= 0 { elements[index] = setField(elements[index], &remaining, using: &random) }
            if remaining == -1, random.oneIn(8), let first = elements.first { elements.append(first) }
            return .array(elements)
        default:
            return value
        }
    }

    static func split(_ input: [UInt8]) -> (mode: String, body: [UInt8]) {
        guard let newline = input.firstIndex(of: 0x0A) else { return ("signed", input) }
        return (String(decoding: input[..<newline], as: UTF8.self), Array(input[(newline + 1)...]))
    }

    func run(_ input: [UInt8]) throws(FuzzFailure) -> Bool {
        let (mode, body) = CloudTarget.split(input)
        let parsed = try? CloudWebhook.parse(body, instanceID: host.instanceID, phoneNumberID: FuzzHost.phoneNumberID)
        let signature: String? = switch mode {
        case "unsigned": nil
        case "forged": CloudSignature.header(body: body, appSecret: "not-" + FuzzHost.appSecret)
        default: CloudSignature.header(body: body, appSecret: FuzzHost.appSecret)
        }
        let answer = try RawHTTP.request(port: host.port, "POST", "/webhooks/cloud/\(host.instanceID)",
                                         headers: [("Content-Type", "application/json")] + (signature.map { [("X-Hub-Signature-256", $0)] } ?? []),
                                         body: body)
        let expected: String
        switch (mode, parsed) {
        case ("unsigned", _), ("forged", _): expected = "401"
        case (_, nil): expected = "400"
        default: expected = "200 or a refusal"
        }
        let fits = switch expected {
        case "401": answer.status == 401
        case "400": answer.status == 400
        default: answer.status == 200 || answer.status == 503 || (400..<500).contains(answer.status)
        }
        guard fits else {
            throw FuzzFailure("a \(mode) webhook answered \(answer.status), expected \(expected): \(String(decoding: answer.body, as: UTF8.self))")
        }
        guard answer.status == 200, let parsed else { return parsed != nil }
        if parsed.events.contains(where: { if case .message = $0 { true } else { false } }) { try listingsStayReadable() }
        return true
    }

    /// The inbox's answers for what was stored: the first page of
    /// conversations and the newest conversation's messages.
    private func listingsStayReadable() throws(FuzzFailure) {
        let bearer = [("Authorization", "Bearer \(FuzzHost.key)")]
        let conversations = try RawHTTP.request(port: host.port, "GET", "/api/conversations?limit=5", headers: bearer)
        guard conversations.status == 200 else { throw FuzzFailure("GET /api/conversations answered \(conversations.status)") }
        let page: JSONValue
        do { page = try JSONReader.parse(conversations.body) } catch {
            throw FuzzFailure("GET /api/conversations wrote invalid JSON: \(error)")
        }
        guard case .array(let items)? = page["data"] ?? page["items"], let first = items.first,
              case .integer(let id)? = first["id"] else { return }
        let messages = try RawHTTP.request(port: host.port, "GET", "/api/conversations/\(id)/messages?limit=5", headers: bearer)
        guard messages.status == 200 else { throw FuzzFailure("GET /api/conversations/\(id)/messages answered \(messages.status)") }
        do { _ = try JSONReader.parse(messages.body) } catch {
            throw FuzzFailure("GET /api/conversations/\(id)/messages wrote invalid JSON: \(error)")
        }
    }
}
