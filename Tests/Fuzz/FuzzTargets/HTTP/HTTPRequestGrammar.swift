import CRMCore
import CRMSessions

/// Requests as bytes, from a grammar of what HTTP/1.1 clients send and what
/// they should not: every method and target the host serves, lengths that
/// lie or repeat, chunked bodies, signatures right and wrong, bare line ends,
/// folded and oversized headers, several requests on one connection.
struct HTTPRequestGrammar {
    let instanceID: String

    func requests(using random: inout FuzzRandom) -> [UInt8] {
        var bytes: [UInt8] = []
        for _ in 0...random.below(3) { bytes += request(using: &random) }
        return bytes
    }

    func request(using random: inout FuzzRandom) -> [UInt8] {
        let body = self.body(using: &random)
        // Half are what Meta sends, so that connections get past their first request.
        if random.oneIn(2) {
            let signature = CloudSignature.header(body: body, appSecret: FuzzHost.appSecret)
            return Array(("POST /webhooks/cloud/\(instanceID) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: \(body.count)\r\nX-Hub-Signature-256: \(signature)\r\n\r\n").utf8) + body
        }
        let newline = random.oneIn(20) ? random.pick(["\n", "\r", "\r\r\n"]) : "\r\n"
        let method = random.oneIn(5) ? random.pick(["GET", "PUT", "post", "POST ", "", "DELETE", "OPTIONS", "CONNECT"]) : "POST"
        let version = random.oneIn(12) ? random.pick(["HTTP/1.0", "HTTP/2", "HTTP/1.1 ", "http/1.1", "HTTP/1.10"]) : "HTTP/1.1"
        var lines = ["\(method) \(target(using: &random)) \(version)"]
        if !random.oneIn(8) { lines.append("Host: 127.0.0.1") }
        var chunked = false
        for _ in 0..<random.size(upTo: 6) + 1 {
            switch random.below(12) {
            case 0, 1, 2: lines.append("Content-Length: \(contentLength(body.count, using: &random))")
            case 3: lines.append("X-Hub-Signature-256: \(signature(body, using: &random))")
            case 4:
                chunked = true
                lines.append(random.pick(["Transfer-Encoding: chunked", "transfer-encoding: gzip, chunked", "Transfer-Encoding: identity"]))
            case 5: lines.append(random.pick(["Connection: close", "Connection: keep-alive", "connection: Keep-Alive, CLOSE", "Connection:close"]))
            case 6: lines.append(random.pick(["Expect: 100-continue", "Upgrade: h2c", "Content-Type: application/json"]))
            case 7: lines.append("Authorization: Bearer \(random.oneIn(3) ? "wrong" : FuzzHost.key)")
            case 8: lines.append(random.pick(["X-Folded: a", " folded continuation", "Bad Name: x", ": empty", "X-Empty:", "NoColon"]))
            case 9: lines.append("X-Long: " + String(repeating: "a", count: random.pick([100, 8_200, 70_000])))
            case 10: lines.append("X-Bytes: \u{7F}\u{01}é")
            default: lines.append("Content-Length: \(body.count)")
            }
        }
        var head = lines.joined(separator: newline) + newline + newline
        if random.oneIn(30) { head = String(head.dropLast(random.below(4))) }
        return Array(head.utf8) + (chunked && !random.oneIn(4) ? chunks(body, using: &random) : body)
    }

    private func target(using random: inout FuzzRandom) -> String {
        switch random.below(10) {
        case 0..<5:
            let id = random.oneIn(4)
                ? random.pick([instanceID.uppercased(), "00000000-0000-0000-0000-000000000000", "x", "", "../api/instances",
                               "%2e%2e", instanceID + "/", String(repeating: "a", count: 9_000)])
                : instanceID
            return "/webhooks/cloud/\(id)" + (random.oneIn(5) ? random.pick(["?a=1", "?", "#x", "?hub.mode=subscribe"]) : "")
        case 5: return random.pick(["/api/conversations?limit=3", "/api/instances", "/api/scripts", "/api/conversations/1/messages"])
        case 6: return random.pick(["/healthz", "/", "/metrics", "*", "http://127.0.0.1/webhooks/cloud/\(instanceID)"])
        case 7: return "/webhooks/cloud/\(instanceID) extra"
        default: return "/webhooks/cloud/\(instanceID)?" + String(repeating: "q", count: random.size(upTo: 9_000))
        }
    }

    private func body(using random: inout FuzzRandom) -> [UInt8] {
        switch random.below(4) {
        case 0, 1:
            var spelling = JSONSpelling(using: FuzzRandom(seed: random.next()))
            spelling.write(random.pick(CloudPayloadSeeds.all))
            return spelling.text
        case 2: return Array(random.pick(JSONTarget.seedTexts).utf8)
        default: return ByteMutations.mutate([], using: &random)
        }
    }

    private func contentLength(_ count: Int, using random: inout FuzzRandom) -> String {
        guard random.oneIn(4) else { return "\(count)" }
        return random.pick(["\(count + 1)", "\(max(count - 1, 0))", "0", "-1", "99999999999", "999999999", "+\(count)",
                            " \(count) ", "\(count), \(count)", "0x10", "\(count)\t", "00\(count)", "1048577"])
    }

    private func signature(_ body: [UInt8], using random: inout FuzzRandom) -> String {
        let valid = CloudSignature.header(body: body, appSecret: FuzzHost.appSecret)
        return random.oneIn(4) ? random.pick(["sha256=", "sha256=zz", "", valid.uppercased(), valid + " ", "md5=1"]) : valid
    }

    private func chunks(_ body: [UInt8], using random: inout FuzzRandom) -> [UInt8] {
        var bytes: [UInt8] = []
        var rest = body[...]
        while !rest.isEmpty {
            let size = min(rest.count, random.size(upTo: 300) + 1)
            bytes += Array("\(String(size, radix: 16))\r\n".utf8) + rest.prefix(size) + Array("\r\n".utf8)
            rest = rest.dropFirst(size)
        }
        return bytes + Array(random.pick(["0\r\n\r\n", "0\r\nX-Trailer: 1\r\n\r\n", "ffffffffffffffff\r\n", "0\r\n"]).utf8)
    }
}
