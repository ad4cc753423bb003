import CRMCore

/// Structure-aware changes to a JSON tree, and text for a tree written in
/// any of the spellings RFC 8259 allows, so that the reader sees every form
/// of the same value.
enum JSONTree {
    /// Values at the edges of what readers and writers handle.
    static func interesting(using random: inout FuzzRandom) -> JSONValue {
        switch random.below(16) {
        case 0: return .integer(random.pick([Int64.min, Int64.max, -1, 0, 1 << 53, -(1 << 53) - 1, 4_294_967_296]))
        case 1: return .number(random.pick([1e308, -1e308, 5e-324, -0.0, 0.1, 1e19, -1e11, 1.7976931348623157e308, 2.5e-308]))
        case 2: return .string(random.pick(["", "\0", "\u{7F}", "\u{FFFF}", "\u{10FFFF}", "😀", "é", "\"\\/", "\u{1F}\n\t",
                                            "\u{2028}\u{2029}", "a\u{0301}", "\u{FEFF}"]))
        case 3: return .string(String(repeating: random.pick(["a", "é", "😀", "\\", "\""]), count: random.size(upTo: 70_000)))
        case 4: return nested(depth: random.pick([1, 100, 511, 512, 513, 600]), using: &random)
        case 5: return .array(Array(repeating: .null, count: random.size(upTo: 20_000)))
        case 6:
            var object: [String: JSONValue] = [:]
            for index in 0..<random.size(upTo: 2_000) { object["k\(index)"] = .integer(Int64(index)) }
            return .object(object)
        case 7: return .bool(random.oneIn(2))
        case 8: return .null
        case 9: return .number(Double(bitPattern: random.next() & 0x7FEF_FFFF_FFFF_FFFF))
        case 10: return .integer(Int64(bitPattern: random.next()))
        case 11: return .string(randomText(using: &random))
        case 12: return .string(random.pick(["1e19", "-100000000000", "NaN", "Infinity", "1.5", "0x10", "  12", "١٢٣"]))
        default: return .object([randomText(using: &random): .string(randomText(using: &random))])
        }
    }

    static func nested(depth: Int, using random: inout FuzzRandom) -> JSONValue {
        var value: JSONValue = .integer(1)
        for _ in 0..<depth { value = random.oneIn(2) ? .array([value]) : .object(["a": value]) }
        return value
    }

    static func randomText(using random: inout FuzzRandom) -> String {
        let alphabet: [Unicode.Scalar] = ["a", "Z", "0", " ", "\"", "\\", "/", "\n", "\u{01}", "\u{1F}", "é", "€", "😀",
                                          "\u{7F}", "\u{D7FF}", "\u{E000}", "\u{FFFD}", "\u{10FFFF}"]
        var text = String.UnicodeScalarView()
        for _ in 0..<random.size(upTo: 40) { text.append(random.pick(alphabet)) }
        return String(text)
    }

    /// The tree with one node replaced, removed, repeated or wrapped.
    static func mutate(_ value: JSONValue, using random: inout FuzzRandom) -> JSONValue {
        var remaining = random.below(max(count(value), 1))
        return mutate(value, at: &remaining, using: &random)
    }

    private static func mutate(_ value: JSONValue, at remaining: inout Int, using random: inout FuzzRandom) -> JSONValue {
        if remaining == 0 {
            remaining = -1
            switch random.below(5) {
            case 0: return .array([value])
            case 1: return .object([randomText(using: &random): value])
            case 2: return shrink(value, using: &random)
            default: return interesting(using: &random)
            }
        }
        remaining -= 1
        switch value {
        case .array(var elements):
            for index in elements.indices where remaining >= 0 {
                elements[index] = mutate(elements[index], at: &remaining, using: &random)
            }
            return .array(elements)
        case .object(var members):
            for key in members.keys.sorted() where remaining >= 0 {
                members[key] = mutate(members[key]!, at: &remaining, using: &random)
            }
            return .object(members)
        default:
            return value
        }
    }

    /// A container with a member removed, renamed or repeated.
    private static func shrink(_ value: JSONValue, using random: inout FuzzRandom) -> JSONValue {
        switch value {
        case .array(var elements) where !elements.isEmpty:
            let index = random.below(elements.count)
            if random.oneIn(2) { elements.remove(at: index) } else { elements.append(elements[index]) }
            return .array(elements)
        case .object(var members) where !members.isEmpty:
            let key = members.keys.sorted()[random.below(members.count)]
            let member = members.removeValue(forKey: key)!
            if random.oneIn(2) { members[randomText(using: &random)] = member }
            return .object(members)
        default:
            return interesting(using: &random)
        }
    }

    static func count(_ value: JSONValue) -> Int {
        switch value {
        case .array(let elements): return 1 + elements.reduce(0) { $0 + count($1) }
        case .object(let members): return 1 + members.values.reduce(0) { $0 + count($1) }
        default: return 1
        }
    }

    /// Whether two trees hold the same value: numbers compare by value, as an
    /// integral double is written without a fraction and read back as an integer.
    static func same(_ left: JSONValue, _ right: JSONValue) -> Bool {
        switch (left, right) {
        case (.integer(let a), .number(let b)), (.number(let b), .integer(let a)): return Double(a) == b && Double(exactly: a) != nil
        case (.string(let a), .string(let b)): return a.unicodeScalars.elementsEqual(b.unicodeScalars)
        case (.array(let a), .array(let b)): return a.count == b.count && zip(a, b).allSatisfy(same)
        case (.object(let a), .object(let b)):
            return a.count == b.count && a.allSatisfy { key, value in b[key].map { same(value, $0) } ?? false }
        default: return left == right
        }
    }
}
