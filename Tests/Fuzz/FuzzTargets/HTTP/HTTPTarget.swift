import Foundation

/// The HTTP fast path: `WebhookFront` (with `WebhookRequestHead`) in front
/// of NIO's decoder, `DirectPath` and the router, over a real loopback socket.
///
/// An input is the bytes a client sends on one connection, written in pieces
/// cut where the input's own hash says (so a saved input replays the same
/// way), then the client's side closed. Invariants: the front frames a
/// webhook exactly as NIO's decoder would (`HeadDifferential`); every answer
/// is well-formed HTTP/1.1 and none is a 500; the server closes the
/// connection once the client has; the server keeps answering.
final class HTTPTarget: FuzzTarget {
    let name = "http"
    let hangLimit: Duration = .seconds(30)
    private let host: FuzzHost
    private let grammar: HTTPRequestGrammar
    private var ran = 0

    init(host: FuzzHost) {
        self.host = host
        grammar = HTTPRequestGrammar(instanceID: host.instanceID)
    }

    var seeds: [[UInt8]] {
        var random = FuzzRandom(seed: 1)
        return (0..<16).map { _ in grammar.requests(using: &random) }
    }

    func mutate(_ input: [UInt8], using random: inout FuzzRandom) -> [UInt8] {
        switch random.below(4) {
        case 0: return grammar.requests(using: &random)
        case 1: return input + grammar.request(using: &random)
        case 2: return HTTPTarget.mutateLines(input, using: &random)
        default: return ByteMutations.mutate(input, using: &random)
        }
    }

    /// Drops, repeats or swaps a line of the head, keeping the rest.
    static func mutateLines(_ input: [UInt8], using random: inout FuzzRandom) -> [UInt8] {
        var lines = input.split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
        guard lines.count > 1 else { return input }
        let index = random.below(lines.count)
        switch random.below(3) {
        case 0: lines.remove(at: index)
        case 1: lines.insert(lines[index], at: index)
        default: lines.swapAt(index, random.below(lines.count))
        }
        return Array(lines.joined(separator: [0x0A]))
    }

    func run(_ input: [UInt8]) throws(FuzzFailure) -> Bool {
        try HeadDifferential.check(input)
        var random = FuzzRandom(seed: input.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 })
        var pieces: [[UInt8]] = []
        var rest = input[...]
        while !rest.isEmpty {
            let size = random.oneIn(3) ? rest.count : random.size(upTo: rest.count) + 1
            pieces.append(Array(rest.prefix(size)))
            rest = rest.dropFirst(size)
        }
        let (bytes, closed) = try RawHTTP.exchange(port: host.port, pieces: pieces, halfClose: true, quiet: .seconds(5))
        let answers = try RawHTTP.answers(in: bytes)
        if let failed = answers.first(where: { $0.status >= 500 && $0.status != 503 }) {
            throw FuzzFailure("answered \(failed.status): \(String(decoding: failed.body, as: UTF8.self))")
        }
        guard closed else { throw FuzzFailure("the server kept the connection 5 s after the client closed its side") }
        ran += 1
        if ran % 25 == 0 {
            let health = try RawHTTP.request(port: host.port, "GET", "/healthz")
            guard health.status == 200 else { throw FuzzFailure("GET /healthz answered \(health.status) after fuzzing") }
        }
        return !answers.isEmpty && answers.allSatisfy { $0.status < 400 }
    }
}
