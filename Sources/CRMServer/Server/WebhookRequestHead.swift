import CRMCore

/// The head of a signed Cloud API webhook POST, read straight from the
/// connection's bytes by `WebhookFront`.
///
/// It recognizes only the plain form Meta sends: `POST
/// /webhooks/cloud/<instance id>[?query] HTTP/1.1`, CRLF line ends, one
/// `Content-Length`, no `Transfer-Encoding`, no `Expect`, no `Upgrade`.
/// Anything else, well-formed or not, is `.other`: NIO's HTTP/1.1 decoder
/// behind it reads that, with every rule and error answer it has, so being
/// narrow here costs speed on odd requests and never correctness.
struct WebhookRequestHead: Equatable {
    /// The path's instance id, lowercased.
    var instanceID: String
    /// `X-Hub-Signature-256`, if present.
    var signature: String?
    /// Bytes of the head, through the blank line.
    var headLength: Int
    var contentLength: Int
    /// `Connection: close` was asked.
    var closing: Bool

    enum Reading: Equatable {
        /// The head is not all here yet.
        case incomplete
        case webhook(WebhookRequestHead)
        /// Not a request this reads; NIO's decoder takes it.
        case other
    }

    /// Longest head read here; a longer one is left to NIO's decoder.
    static let headLimit = 8 * 1024

    /// Reads a head from the start of `bytes`. Called with the connection
    /// buffer's raw bytes, whose integer indexes keep this a fraction of
    /// what `ByteBufferView`'s cost.
    static func read(_ bytes: some RandomAccessCollection<UInt8>) -> Reading {
        var line = Lines(bytes: bytes)
        guard let requestLine = line.next() else { return line.overran ? .other : .incomplete }
        guard let instanceID = target(ofRequestLine: requestLine) else { return .other }
        var head = WebhookRequestHead(instanceID: instanceID, signature: nil, headLength: 0, contentLength: -1, closing: false)
        while true {
            guard let field = line.next() else { return line.overran ? .other : .incomplete }
            if field.isEmpty { break }
            guard head.take(field) else { return .other }
        }
        guard head.contentLength >= 0 else { return .other }
        head.headLength = line.consumed
        return .webhook(head)
    }

    /// The instance id of `POST /webhooks/cloud/<id>[?query] HTTP/1.1`.
    private static func target(ofRequestLine line: some Collection<UInt8>) -> String? {
        guard line.starts(with: requestStart), line.count > requestStart.count + requestEnd.count,
              line.suffix(requestEnd.count).elementsEqual(requestEnd) else { return nil }
        let target = line.dropFirst(requestStart.count).dropLast(requestEnd.count)
        // Visible ASCII only, as NIO's decoder demands of a target: the same
        // request must get the same answer whichever way it comes in.
        guard target.allSatisfy({ (0x21...0x7E).contains($0) }) else { return nil }
        return InstanceIDText.normalized(String(decoding: target.prefix { $0 != UInt8(ascii: "?") }, as: UTF8.self))
    }

    /// Takes one header field line; false for one that sends the request to NIO's decoder.
    private mutating func take(_ field: some BidirectionalCollection<UInt8>) -> Bool {
        guard let colon = field.firstIndex(of: UInt8(ascii: ":")), colon != field.startIndex else { return false }
        let name = field[..<colon]
        guard name.allSatisfy(Self.isTokenByte) else { return false }
        let value = Self.trimmed(field[field.index(after: colon)...])
        guard value.allSatisfy({ $0 == 0x09 || (0x20...0x7E).contains($0) || $0 >= 0x80 }) else { return false }
        if Self.named(name, "content-length") {
            guard contentLength < 0, !value.isEmpty, value.count <= 9,
                  value.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else { return false }
            contentLength = value.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        } else if Self.named(name, "transfer-encoding") || Self.named(name, "expect") || Self.named(name, "upgrade") {
            return false
        } else if Self.named(name, "connection") {
            if value.split(separator: UInt8(ascii: ",")).contains(where: { Self.named(Self.trimmed($0), "close") }) {
                closing = true
            }
        } else if Self.named(name, "x-hub-signature-256") {
            guard signature == nil else { return false }
            signature = String(decoding: value, as: UTF8.self)
        }
        return true
    }

    private static let requestStart = Array("POST /webhooks/cloud/".utf8)
    private static let requestEnd = Array(" HTTP/1.1".utf8)

    /// RFC 9110 §5.6.2's token characters.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }

    private static func trimmed<C: BidirectionalCollection<UInt8>>(_ value: C) -> C.SubSequence {
        let isSpace = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == 0x09 }
        let start = value.firstIndex { !isSpace($0) } ?? value.endIndex
        let end = value[start...].lastIndex { !isSpace($0) }.map(value.index(after:)) ?? start
        return value[start..<end]
    }

    /// Whether `bytes`, token characters, are `lowercase` in any case.
    private static func named(_ bytes: some Collection<UInt8>, _ lowercase: StaticString) -> Bool {
        let expected = UnsafeBufferPointer(start: lowercase.utf8Start, count: lowercase.utf8CodeUnitCount)
        return bytes.count == expected.count && zip(bytes, expected).allSatisfy { $0 | 0x20 == $1 }
    }

    /// The head's lines, each without its CRLF.
    private struct Lines<Bytes: RandomAccessCollection<UInt8>> {
        let bytes: Bytes
        /// Bytes taken so far, through the last CRLF.
        var consumed = 0
        /// A line has no CRLF within `headLimit`, or holds a bare CR or LF.
        var overran = false

        init(bytes: Bytes) { self.bytes = bytes }

        mutating func next() -> Bytes.SubSequence? {
            let start = bytes.index(bytes.startIndex, offsetBy: consumed)
            let window = bytes[start...].prefix(WebhookRequestHead.headLimit - consumed)
            guard let end = window.firstIndex(where: { $0 == 0x0D || $0 == 0x0A }) else {
                overran = window.count == WebhookRequestHead.headLimit - consumed
                return nil
            }
            guard bytes[end] == 0x0D else { overran = true; return nil }
            let after = bytes.index(after: end)
            // A CR that is the last byte within the limit ends a line whose
            // LF lies beyond it: that line overruns the head too.
            guard bytes.distance(from: bytes.startIndex, to: after) < WebhookRequestHead.headLimit else {
                overran = true
                return nil
            }
            guard after != bytes.endIndex else { return nil }
            guard bytes[after] == 0x0A else { overran = true; return nil }
            consumed = bytes.distance(from: bytes.startIndex, to: after) + 1
            return bytes[start..<end]
        }
    }
}
