/// Where one value of a scanned JSON text lies, and what it is.
///
/// Nodes are kept in document order: a container's members follow it, and
/// `next` is the node after its last one, so a reader steps from value to
/// value without visiting what it does not want.
struct JSONNode {
    enum Kind: UInt8 {
        case null, `true`, `false`, integer, number
        /// Text between the quotes that is the value as it stands.
        case asciiString, string
        /// Text between the quotes holding escapes, decoded when read.
        case escapedString
        case array, object
    }

    var kind: Kind
    /// The value's bytes; for a string, those between its quotes.
    var start: Int
    var end: Int
    /// The index of the node after this value and everything inside it.
    var next = 0

    /// A checked integer literal's value, nil when it does not fit 64 bits.
    static func integer(_ literal: UnsafeBufferPointer<UInt8>) -> Int64? {
        var digits = literal[...]
        let negative = digits.first == UInt8(ascii: "-")
        if negative { digits = digits.dropFirst() }
        var value: Int64 = 0
        for digit in digits {
            let (shifted, overflowTimes) = value.multipliedReportingOverflow(by: 10)
            let (added, overflowPlus) = negative
                ? shifted.subtractingReportingOverflow(Int64(digit &- UInt8(ascii: "0")))
                : shifted.addingReportingOverflow(Int64(digit &- UInt8(ascii: "0")))
            guard !overflowTimes, !overflowPlus else { return nil }
            value = added
        }
        return value
    }

    /// A checked number literal's value as a double (infinite when out of range).
    static func double(_ literal: UnsafeBufferPointer<UInt8>) -> Double? {
        Double(String(decoding: literal, as: UTF8.self))
    }
}
