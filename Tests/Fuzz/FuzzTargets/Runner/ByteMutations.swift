/// Mutations that know nothing of the input's structure, applied after the
/// structure-aware ones (or instead, when the input does not parse) to reach
/// the readers' error paths.
public enum ByteMutations {
    /// Bytes that sit at a boundary of some reader: quotes, escapes, line
    /// ends, digits, the first bytes of multi-byte UTF-8, invalid UTF-8.
    static let interesting: [[UInt8]] = [
        [0x00], [0x09], [0x0A], [0x0D], [0x0D, 0x0A], [0x20], [0x22], [0x5C], [0x5C, 0x75], [0x2C], [0x3A],
        [0x7B], [0x7D], [0x5B], [0x5D], [0x2D], [0x30], [0x39], [0x2E], [0x65], [0x7F], [0x80], [0xBF], [0xC0],
        [0xC3, 0xA9], [0xE2, 0x82, 0xAC], [0xED, 0xA0, 0x80], [0xF0, 0x9F, 0x98, 0x80], [0xF4, 0x90, 0x80, 0x80],
        [0xFF], [0xFE, 0xFF], Array("\\ud800".utf8), Array("\\udc00".utf8), Array("1e999".utf8),
        Array("-0".utf8), Array("9223372036854775808".utf8), Array("-9223372036854775809".utf8),
    ]

    public static func mutate(_ input: [UInt8], using random: inout FuzzRandom) -> [UInt8] {
        var bytes = input
        for _ in 0...random.below(3) {
            let at = random.below(bytes.count + 1)
            switch random.below(7) {
            case 0 where !bytes.isEmpty:
                bytes[min(at, bytes.count - 1)] ^= UInt8(1 << random.below(8))
            case 1:
                bytes.insert(contentsOf: random.pick(interesting), at: at)
            case 2 where !bytes.isEmpty:
                let end = min(bytes.count, at + random.size(upTo: 16) + 1)
                bytes.removeSubrange(min(at, bytes.count)..<max(end, min(at, bytes.count)))
            case 3 where !bytes.isEmpty:
                let start = random.below(bytes.count)
                let end = min(bytes.count, start + random.size(upTo: 64) + 1)
                bytes.insert(contentsOf: bytes[start..<end], at: at)
            case 4 where !bytes.isEmpty:
                bytes = Array(bytes[..<min(at, bytes.count)])
            case 5 where !bytes.isEmpty:
                bytes[min(at, bytes.count - 1)] = UInt8(truncatingIfNeeded: random.next())
            default:
                bytes.insert(contentsOf: Array(repeating: random.pick(interesting)[0], count: random.size(upTo: 600)), at: at)
            }
        }
        return bytes
    }
}
