/// Checks JSON text (RFC 8259) in one pass and records where each value lies,
/// in document order: the strict half of `JSONReader` and `JSONDocument`.
///
/// It is strict where a reader of untrusted input must be: invalid UTF-8,
/// unpaired surrogates, control characters in strings, leading zeros,
/// numbers out of range, trailing commas or content, and nesting deeper than
/// `JSONReader.maxDepth` are errors, never crashes. Nothing is decoded that
/// the caller does not ask for later; a string is decoded here only when it
/// holds escapes, to check them.
struct JSONScanner: ~Copyable {
    typealias Failure = JSONReader.Failure

    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0
    private var depth = 0
    private(set) var nodes: [JSONNode] = []

    /// The nodes of `bytes`, the whole text one value; the first node is that value.
    static func scan(_ bytes: UnsafeBufferPointer<UInt8>) throws(Failure) -> [JSONNode] {
        var scanner = JSONScanner(bytes)
        // A webhook body of a few hundred bytes holds a node every dozen bytes or so.
        scanner.nodes.reserveCapacity(bytes.count / 12 + 4)
        try scanner.value()
        scanner.skipSpace()
        guard scanner.index == bytes.count else { throw scanner.failure("content after the value") }
        return scanner.nodes
    }

    private init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    private mutating func value() throws(Failure) {
        skipSpace()
        guard index < bytes.count else { throw failure("unexpected end") }
        switch bytes[index] {
        case UInt8(ascii: "{"): try container(.object, closing: UInt8(ascii: "}"))
        case UInt8(ascii: "["): try container(.array, closing: UInt8(ascii: "]"))
        case UInt8(ascii: "\""): try string()
        case UInt8(ascii: "t"): try literal("true", .true)
        case UInt8(ascii: "f"): try literal("false", .false)
        case UInt8(ascii: "n"): try literal("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number()
        default: throw failure("unexpected character")
        }
    }

    /// An object's nodes are its names and values in turn; an array's, its elements.
    private mutating func container(_ kind: JSONNode.Kind, closing: UInt8) throws(Failure) {
        depth += 1
        guard depth <= JSONReader.maxDepth else { throw failure("nested deeper than \(JSONReader.maxDepth)") }
        defer { depth -= 1 }
        let node = nodes.count
        nodes.append(JSONNode(kind: kind, start: index, end: index))
        index += 1
        skipSpace()
        if !consume(closing) {
            repeat {
                if kind == .object {
                    skipSpace()
                    guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw failure("expected a member name") }
                    try string()
                    skipSpace()
                    guard consume(UInt8(ascii: ":")) else { throw failure("expected ':'") }
                }
                try value()
                skipSpace()
            } while consume(UInt8(ascii: ","))
            guard consume(closing) else {
                throw failure(kind == .object ? "expected ',' or '}'" : "expected ',' or ']'")
            }
        }
        nodes[node].end = index
        nodes[node].next = nodes.count
    }

    /// A string from its opening quote. Its node spans the text between the
    /// quotes; one with escapes is decoded once here to check them.
    private mutating func string() throws(Failure) {
        index += 1
        let start = index
        var ascii = true
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                if !ascii, String(validating: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self) == nil {
                    throw Failure(reason: "invalid UTF-8", offset: start)
                }
                append(ascii ? .asciiString : .string, start..<index)
                index += 1
                return
            }
            if byte == UInt8(ascii: "\\") {
                index = try JSONEscapes.decode(bytes, from: start).end
                append(.escapedString, start..<index - 1)
                return
            }
            if byte < 0x20 { throw failure("control character in a string") }
            ascii = ascii && byte < 0x80
            index += 1
        }
        throw failure("unterminated string")
    }

    /// `-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?`: an integer when it has
    /// neither fraction nor exponent and fits 64 bits, a finite double otherwise.
    private mutating func number() throws(Failure) {
        let start = index
        _ = consume(UInt8(ascii: "-"))
        guard index < bytes.count, isDigit(bytes[index]) else { throw failure("expected a digit") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count, isDigit(bytes[index]) { throw failure("leading zero") }
        } else {
            skipDigits()
        }
        var integral = true
        if consume(UInt8(ascii: ".")) {
            integral = false
            guard index < bytes.count, isDigit(bytes[index]) else { throw failure("expected a digit after '.'") }
            skipDigits()
        }
        if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            integral = false
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, isDigit(bytes[index]) else { throw failure("expected a digit in the exponent") }
            skipDigits()
        }
        let literal = UnsafeBufferPointer(rebasing: bytes[start..<index])
        if integral, JSONNode.integer(literal) != nil {
            append(.integer, start..<index)
        } else {
            guard let number = JSONNode.double(literal), number.isFinite else { throw failure("number out of range") }
            append(.number, start..<index)
        }
    }

    private mutating func literal(_ word: StaticString, _ kind: JSONNode.Kind) throws(Failure) {
        let matches = word.withUTF8Buffer { expected in
            index + expected.count <= bytes.count && expected.indices.allSatisfy { bytes[index + $0] == expected[$0] }
        }
        guard matches else { throw failure("unexpected character") }
        append(kind, index..<index + word.utf8CodeUnitCount)
        index += word.utf8CodeUnitCount
    }

    private mutating func append(_ kind: JSONNode.Kind, _ range: Range<Int>) {
        nodes.append(JSONNode(kind: kind, start: range.lowerBound, end: range.upperBound, next: nodes.count + 1))
    }

    private mutating func skipSpace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    private mutating func skipDigits() {
        while index < bytes.count, isDigit(bytes[index]) { index += 1 }
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private mutating func consume(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    private func failure(_ reason: String) -> Failure { Failure(reason: reason, offset: index) }
}
