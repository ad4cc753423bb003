import CRMCore

/// Writes a tree as JSON text in a spelling chosen at random: any
/// whitespace, any escape for any character, exponents and fractions where
/// they keep the value. Every spelling must read back as the same tree.
struct JSONSpelling {
    var random: FuzzRandom
    private(set) var text: [UInt8] = []

    init(using random: FuzzRandom) { self.random = random }

    mutating func write(_ value: JSONValue) {
        space()
        switch value {
        case .null: text += Array("null".utf8)
        case .bool(let flag): text += Array((flag ? "true" : "false").utf8)
        case .integer(let integer): integerText(integer)
        case .number(let number):
            var spelled = "\(number)"
            if random.oneIn(3) { spelled = spelled.replacingOccurrences(of: "e", with: "E") }
            text += Array(spelled.utf8)
        case .string(let string): stringText(string)
        case .array(let elements):
            text.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { space(); text.append(UInt8(ascii: ",")) }
                write(element)
                space()
            }
            space()
            text.append(UInt8(ascii: "]"))
        case .object(let members):
            text.append(UInt8(ascii: "{"))
            for (index, key) in members.keys.sorted().enumerated() {
                if index > 0 { text.append(UInt8(ascii: ",")) }
                space()
                stringText(key)
                space()
                text.append(UInt8(ascii: ":"))
                write(members[key]!)
                space()
            }
            space()
            text.append(UInt8(ascii: "}"))
        }
    }

    private mutating func space() {
        guard random.oneIn(4) else { return }
        for _ in 0..<random.size(upTo: 3) { text.append(random.pick([0x20, 0x09, 0x0A, 0x0D])) }
    }

    private mutating func integerText(_ integer: Int64) {
        // An exponent turns it into a double: only where the double is exact.
        if integer.magnitude < 1 << 53, random.oneIn(4) {
            text += Array("\(integer)\(random.pick(["e0", "E+0", ".0", ".000e-0"]))".utf8)
        } else {
            text += Array("\(integer)".utf8)
        }
    }

    private mutating func stringText(_ string: String) {
        text.append(UInt8(ascii: "\""))
        let escapeAll = random.oneIn(6)
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": text += Array(#"\""#.utf8)
            case "\\": text += Array(#"\\"#.utf8)
            case "\n" where !escapeAll: text += Array(#"\n"#.utf8)
            case "/" where random.oneIn(2): text += Array(#"\/"#.utf8)
            default:
                if scalar.value < 0x20 || escapeAll || random.oneIn(16) {
                    unicodeEscape(scalar)
                } else {
                    text += Array(String(scalar).utf8)
                }
            }
        }
        text.append(UInt8(ascii: "\""))
    }

    private mutating func unicodeEscape(_ scalar: Unicode.Scalar) {
        let units = Array(String(scalar).utf16)
        for unit in units {
            let hex = String(unit, radix: 16, uppercase: random.oneIn(2))
            text += Array(("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).utf8)
        }
    }
}
