import Foundation

/// Writes JSON straight into bytes, for fixed shapes on hot paths: the
/// answers that are lists of many rows (the inbox, a conversation's
/// messages) and the content of every queued send. Foundation's
/// `JSONEncoder` builds a tree of boxed values per field first and costs more
/// than the query behind the answer; the shapes here are fixed, so they write
/// themselves. The API's answers written this way match `Response.json`'s
/// encoder: every field present (`null` when unknown), dates in ISO-8601 UTC
/// to the second, `/` unescaped.
///
/// Its small writes are inlinable, so the compiler may fold them into the
/// shapes of other modules that write themselves instead of calling across
/// the module for every key and value.
public struct JSONWriter: ~Copyable {
    @usableFromInline var output: WrittenBytes
    /// Whether the next member of the open object or array is its first.
    @usableFromInline var first = true

    public init(capacity: Int = 4096) { output = WrittenBytes(capacity: capacity) }

    /// Writes into memory the caller owns while it fits (see
    /// `WrittenBytes.init(borrowing:)`); `isInBorrowedRegion` tells whether it did.
    public init(borrowing region: UnsafeMutableRawBufferPointer) { output = WrittenBytes(borrowing: region) }

    /// How many bytes were written.
    public var count: Int { output.count }

    /// Whether everything written is in the region given to `init(borrowing:)`.
    public var isInBorrowedRegion: Bool { output.isInBorrowedRegion }

    /// A copy of what was written.
    public var bytes: [UInt8] { output.withBytes { Array($0) } }

    /// What was written, lent without a copy (for a response body).
    public func withBytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        try output.withBytes(body)
    }

    @inlinable
    public mutating func object(_ members: (inout JSONWriter) -> Void) {
        separate()
        output.append(UInt8(ascii: "{"))
        first = true
        members(&self)
        output.append(UInt8(ascii: "}"))
        first = false
    }

    @inlinable
    public mutating func array<Element>(_ elements: [Element], _ write: (inout JSONWriter, Element) -> Void) {
        separate()
        output.append(UInt8(ascii: "["))
        first = true
        for element in elements { write(&self, element) }
        output.append(UInt8(ascii: "]"))
        first = false
    }

    /// Starts a member of the open object; its value is written next.
    @inlinable
    public mutating func key(_ name: StaticString) {
        separate()
        output.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { output.append($0) }
        output.append(UInt8(ascii: "\""))
        output.append(UInt8(ascii: ":"))
        first = true
    }

    @inlinable
    public mutating func string(_ text: String?) {
        separate()
        guard var text else { return writeNull() }
        output.append(UInt8(ascii: "\""))
        text.withUTF8 { utf8 in
            // Runs of bytes that need no escape are copied whole: most text has none.
            var run = 0
            for index in utf8.indices where JSONWriter.needsEscape(utf8[index]) {
                output.append(UnsafeBufferPointer(rebasing: utf8[run..<index]))
                escape(utf8[index])
                run = index + 1
            }
            output.append(UnsafeBufferPointer(rebasing: utf8[run...]))
        }
        output.append(UInt8(ascii: "\""))
    }

    @inlinable
    static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }

    @usableFromInline
    mutating func escape(_ byte: UInt8) {
        output.append(UInt8(ascii: "\\"))
        switch byte {
        case 0x0A: output.append(UInt8(ascii: "n"))
        case 0x0D: output.append(UInt8(ascii: "r"))
        case 0x09: output.append(UInt8(ascii: "t"))
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): output.append(byte)
        default:
            for character in [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                              JSONWriter.hexDigit(byte >> 4), JSONWriter.hexDigit(byte & 15)] {
                output.append(character)
            }
        }
    }

    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") + value - 10
    }

    @inlinable
    public mutating func integer(_ number: Int?) { integer(number.map(Int64.init)) }

    /// Not generic over `BinaryInteger`: called from another module, a
    /// generic would run unspecialised, looking up its type's metadata on
    /// every call.
    @inlinable
    public mutating func integer(_ number: Int64?) {
        separate()
        guard let value = number else { return writeNull() }
        if value < 0 { output.append(UInt8(ascii: "-")) }
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
            output.append(UnsafeBufferPointer(rebasing: scratch[start...]))
        }
    }

    @inlinable
    public mutating func bool(_ flag: Bool) {
        separate()
        let text: StaticString = flag ? "true" : "false"
        text.withUTF8Buffer { output.append($0) }
    }

    /// `2026-11-29T06:20:04Z`: ISO-8601 in UTC, whole seconds. A date
    /// outside the years 1 to 9999 is written as the nearer end of them (see
    /// `Date.keptInRange`), NaN as `null`: storage may hold any `Double`.
    public mutating func date(_ date: Date?) {
        separate()
        guard let date, !date.timeIntervalSince1970.isNaN else { return writeNull() }
        let time = UTCDateTime(secondsSince1970: date.wholeSecondsSince1970)
        output.append(UInt8(ascii: "\""))
        digits(time.year, 4); output.append(UInt8(ascii: "-"))
        digits(time.month, 2); output.append(UInt8(ascii: "-"))
        digits(time.day, 2); output.append(UInt8(ascii: "T"))
        digits(time.hour, 2); output.append(UInt8(ascii: ":"))
        digits(time.minute, 2); output.append(UInt8(ascii: ":"))
        digits(time.second, 2); output.append(UInt8(ascii: "Z"))
        output.append(UInt8(ascii: "\""))
    }

    @inlinable
    public mutating func null() {
        separate()
        writeNull()
    }

    @inlinable
    mutating func writeNull() {
        let text: StaticString = "null"
        text.withUTF8Buffer { output.append($0) }
    }

    /// `value` in exactly `width` digits, zero-padded.
    private mutating func digits(_ value: Int, _ width: Int) {
        var divisor = 1
        for _ in 1..<width { divisor *= 10 }
        while divisor > 0 {
            output.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
            divisor /= 10
        }
    }

    /// Writes the comma before every member but the first; the value after a
    /// key is not a new member.
    @inlinable
    mutating func separate() {
        if first { first = false } else { output.append(UInt8(ascii: ",")) }
    }
}
