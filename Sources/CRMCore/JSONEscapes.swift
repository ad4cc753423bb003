/// The escapes of a JSON string (`\n`, `\u00e9`, surrogate pairs): checked
/// once while scanning, decoded again when the string is read.
enum JSONEscapes {
    /// Decodes the string whose text starts at `start` (just after its opening
    /// quote): the UTF-8 of its value, and the index just after its closing
    /// quote. The bytes the escapes yield are checked as UTF-8 with the rest.
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>,
                       from start: Int) throws(JSONReader.Failure) -> (utf8: [UInt8], end: Int) {
        var decoded: [UInt8] = []
        decoded.reserveCapacity(16)
        var index = start
        func failure(_ reason: String) -> JSONReader.Failure { JSONReader.Failure(reason: reason, offset: index) }
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                guard String(validating: decoded, as: UTF8.self) != nil else { throw failure("invalid UTF-8") }
                return (decoded, index)
            case UInt8(ascii: "\\"):
                guard index < bytes.count else { break }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): decoded.append(escape)
                case UInt8(ascii: "b"): decoded.append(0x08)
                case UInt8(ascii: "f"): decoded.append(0x0C)
                case UInt8(ascii: "n"): decoded.append(0x0A)
                case UInt8(ascii: "r"): decoded.append(0x0D)
                case UInt8(ascii: "t"): decoded.append(0x09)
                case UInt8(ascii: "u"):
                    let scalar = try unicodeEscape(bytes, at: &index)
                    UTF8.encode(scalar) { decoded.append($0) }
                default: throw failure("unknown escape")
                }
            case ..<0x20:
                throw failure("control character in a string")
            default:
                decoded.append(byte)
            }
        }
        throw failure("unterminated string")
    }

    /// The scalar of `\uXXXX` (the `\u` already read), joining a surrogate pair.
    private static func unicodeEscape(_ bytes: UnsafeBufferPointer<UInt8>, at index: inout Int) throws(JSONReader.Failure) -> Unicode.Scalar {
        let first = try hexQuad(bytes, at: &index)
        var scalar = first
        if (0xD800...0xDBFF).contains(first) {
            guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                throw JSONReader.Failure(reason: "unpaired surrogate", offset: index)
            }
            index += 2
            let second = try hexQuad(bytes, at: &index)
            guard (0xDC00...0xDFFF).contains(second) else { throw JSONReader.Failure(reason: "unpaired surrogate", offset: index) }
            scalar = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
        } else if (0xDC00...0xDFFF).contains(first) {
            throw JSONReader.Failure(reason: "unpaired surrogate", offset: index)
        }
        // Surrogates are excluded above, so every remaining value is a scalar.
        return Unicode.Scalar(scalar)!
    }

    private static func hexQuad(_ bytes: UnsafeBufferPointer<UInt8>, at index: inout Int) throws(JSONReader.Failure) -> UInt32 {
        guard index + 4 <= bytes.count else { throw JSONReader.Failure(reason: "short \\u escape", offset: index) }
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let digit = HexDigit.value(bytes[index]) else {
                throw JSONReader.Failure(reason: "bad hex digit in \\u escape", offset: index)
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }
}
