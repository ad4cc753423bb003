import Foundation

/// Writes JSON straight into bytes, for fixed shapes on hot paths: the
/// answers that are lists of many rows (the inbox, a conversation's
/// messages) and the content of every queued send. Foundation's
/// `JSONEncoder` builds a tree of boxed values per field first and costs more
/// than the query behind the answer; the shapes here are fixed, so they write
/// themselves. The API's answers written this way match `Response.json`'s
/// encoder: every field present (`null` when unknown), dates in ISO-8601 UTC
/// to the second, `/` unescaped.
public struct JSONWriter {
    public private(set) var bytes: [UInt8] = []
    /// Whether the next member of the open object or array is its first.
    private var first = true

    public init(capacity: Int = 4096) { bytes.reserveCapacity(capacity) }

    public mutating func object(_ members: (inout JSONWriter) -> Void) {
        separate()
        bytes.append(UInt8(ascii: "{"))
        first = true
        members(&self)
        bytes.append(UInt8(ascii: "}"))
        first = false
    }

    public mutating func array<Element>(_ elements: [Element], _ write: (inout JSONWriter, Element) -> Void) {
        separate()
        bytes.append(UInt8(ascii: "["))
        first = true
        for element in elements { write(&self, element) }
        bytes.append(UInt8(ascii: "]"))
        first = false
    }

    /// Starts a member of the open object; its value is written next.
    public mutating func key(_ name: StaticString) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
        first = true
    }

    public mutating func string(_ text: String?) {
        separate()
        guard var text else { return writeNull() }
        bytes.append(UInt8(ascii: "\""))
        text.withUTF8 { utf8 in
            for byte in utf8 {
                if byte >= 0x20 && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\") {
                    bytes.append(byte)
                    continue
                }
                bytes.append(UInt8(ascii: "\\"))
                switch byte {
                case 0x0A: bytes.append(UInt8(ascii: "n"))
                case 0x0D: bytes.append(UInt8(ascii: "r"))
                case 0x09: bytes.append(UInt8(ascii: "t"))
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(byte)
                default:
                    bytes.append(UInt8(ascii: "u"))
                    bytes.append(UInt8(ascii: "0"))
                    bytes.append(UInt8(ascii: "0"))
                    bytes.append(JSONWriter.hexDigit(byte >> 4))
                    bytes.append(JSONWriter.hexDigit(byte & 15))
                }
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") + value - 10
    }

    public mutating func integer<Number: BinaryInteger>(_ number: Number?) {
        separate()
        guard let number else { return writeNull() }
        var value = Int64(number)
        if value < 0 {
            bytes.append(UInt8(ascii: "-"))
            guard value != .min else { return bytes.append(contentsOf: "9223372036854775808".utf8) }
            value = -value
        }
        var width = 1
        var scale: Int64 = 10
        while width < 19 && value >= scale {
            width += 1
            if width < 19 { scale *= 10 }
        }
        digits(Int(value), width)
    }

    public mutating func bool(_ flag: Bool) {
        separate()
        bytes.append(contentsOf: (flag ? "true" : "false").utf8)
    }

    /// `2026-11-29T06:20:04Z`: ISO-8601 in UTC, whole seconds.
    public mutating func date(_ date: Date?) {
        separate()
        guard let date else { return writeNull() }
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        bytes.append(UInt8(ascii: "\""))
        digits(Int(parts.tm_year) + 1900, 4)
        bytes.append(UInt8(ascii: "-"))
        digits(Int(parts.tm_mon) + 1, 2)
        bytes.append(UInt8(ascii: "-"))
        digits(Int(parts.tm_mday), 2)
        bytes.append(UInt8(ascii: "T"))
        digits(Int(parts.tm_hour), 2)
        bytes.append(UInt8(ascii: ":"))
        digits(Int(parts.tm_min), 2)
        bytes.append(UInt8(ascii: ":"))
        digits(Int(parts.tm_sec), 2)
        bytes.append(contentsOf: [UInt8(ascii: "Z"), UInt8(ascii: "\"")])
    }

    public mutating func null() {
        separate()
        writeNull()
    }

    private mutating func writeNull() { bytes.append(contentsOf: "null".utf8) }

    private mutating func digits(_ value: Int, _ width: Int) {
        var divisor = 1
        for _ in 1..<width { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(rest / divisor % 10))
            rest %= divisor
            divisor /= 10
        }
    }

    /// Writes the comma before every member but the first; the value after a
    /// key is not a new member.
    private mutating func separate() {
        if first { first = false } else { bytes.append(UInt8(ascii: ",")) }
    }
}
