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
            // Runs of bytes that need no escape are copied whole: most text has none.
            var run = 0
            for index in utf8.indices where JSONWriter.needsEscape(utf8[index]) {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[run..<index]))
                escape(utf8[index])
                run = index + 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[run...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }

    private mutating func escape(_ byte: UInt8) {
        bytes.append(UInt8(ascii: "\\"))
        switch byte {
        case 0x0A: bytes.append(UInt8(ascii: "n"))
        case 0x0D: bytes.append(UInt8(ascii: "r"))
        case 0x09: bytes.append(UInt8(ascii: "t"))
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(byte)
        default:
            bytes.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                      JSONWriter.hexDigit(byte >> 4), JSONWriter.hexDigit(byte & 15)])
        }
    }

    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") + value - 10
    }

    public mutating func integer<Number: BinaryInteger>(_ number: Number?) {
        separate()
        guard let number else { return writeNull() }
        let value = Int64(number)
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var rest = value.magnitude
        // The digits come out last first: written from the end of a scratch
        // buffer, then copied at once.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { scratch in
            var start = scratch.count
            repeat {
                start -= 1
                scratch[start] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            } while rest > 0
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: scratch[start...]))
        }
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
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 22) { text in
            var position = 0
            func put(_ byte: UInt8) { text[position] = byte; position += 1 }
            func put(_ value: Int32, width: Int) {
                var divisor: Int32 = 1
                for _ in 1..<width { divisor *= 10 }
                while divisor > 0 {
                    put(UInt8(ascii: "0") + UInt8(value / divisor % 10))
                    divisor /= 10
                }
            }
            put(UInt8(ascii: "\""))
            put(parts.tm_year + 1900, width: 4); put(UInt8(ascii: "-"))
            put(parts.tm_mon + 1, width: 2); put(UInt8(ascii: "-"))
            put(parts.tm_mday, width: 2); put(UInt8(ascii: "T"))
            put(parts.tm_hour, width: 2); put(UInt8(ascii: ":"))
            put(parts.tm_min, width: 2); put(UInt8(ascii: ":"))
            put(parts.tm_sec, width: 2); put(UInt8(ascii: "Z"))
            put(UInt8(ascii: "\""))
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: text[..<position]))
        }
    }

    public mutating func null() {
        separate()
        writeNull()
    }

    private mutating func writeNull() { bytes.append(contentsOf: "null".utf8) }

    /// Writes the comma before every member but the first; the value after a
    /// key is not a new member.
    private mutating func separate() {
        if first { first = false } else { bytes.append(UInt8(ascii: ",")) }
    }
}
