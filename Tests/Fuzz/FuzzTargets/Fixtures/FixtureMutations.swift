/// Changes to fixture YAML that keep its shape most of the time: a scalar
/// swapped for one at an edge (durations, clocks, patterns, anchors), a line
/// dropped, repeated or re-indented, a case or event copied.
enum FixtureMutations {
    static let scalars = [
        "1e300s", "1e308d", "nan", "inf", "-inf", "-5m", "0", "0.0000001s", "9999999999999999999d", "1h30m", "1d1d1d", "m", "1.2.3s",
        "\"9999-12-31T23:59:59Z\"", "\"0000-01-01T00:00:00Z\"", "\"2026-02-30T10:00:00-03:00\"", "\"2026-11-30T10:00:00+14:00\"",
        "\"/(a+)+$/\"", "\"/[/\"", "\"/\"", "\"/i\"", "\"//i\"", "\"/(?<x>a)\\\\k<x>/\"",
        "&a [1, 2]", "*a", "*undefined", "!!binary aGVsbG8=", "!!float .nan", "!!int 99999999999999999999", "~", "null",
        "[]", "{}", "\"\"", "''", "|\n  multi\n  line", "\"\\u0000\"", "\"\\uD800\"", "é😀", "- - - -", "? complex\n: key",
        "99999999999999999999", "0x1F", "0o17", "+.inf", ".NaN", "yes", "no", "on", "2001-12-14t21:59:43.10-05:00",
    ]

    static func mutate(_ input: [UInt8], using random: inout FuzzRandom) -> [UInt8] {
        var lines = String(decoding: input, as: UTF8.self).components(separatedBy: "\n")
        guard !lines.isEmpty else { return input }
        let index = random.below(lines.count)
        switch random.below(9) {
        case 0, 1, 2:
            // The scalar after the line's last `: ` (or the list item's `- `).
            let line = lines[index]
            if let colon = line.range(of: ": ", options: .backwards) {
                lines[index] = String(line[..<colon.upperBound]) + random.pick(scalars)
            } else if let dash = line.range(of: "- ") {
                lines[index] = String(line[..<dash.upperBound]) + random.pick(scalars)
            } else {
                lines[index] += " " + random.pick(scalars)
            }
        case 3: lines.remove(at: index)
        case 4: lines.insert(lines[index], at: index)
        case 5:
            let count = random.size(upTo: 20) + 1
            lines.insert(contentsOf: lines[index..<min(lines.count, index + count)], at: min(lines.count, index + count))
        case 6: lines[index] = String(repeating: " ", count: random.below(4)) + lines[index].drop { $0 == " " }
        case 7: lines.insert(random.pick(["---", "...", "%YAML 1.2", "cases: &c", "  - *c", "x: &x [*x]", "\t- tab",
                                          "anchor: &big [&l0 [a, a, a, a, a, a, a, a], [*l0, *l0, *l0, *l0, *l0, *l0]]"]), at: index)
        default:
            return ByteMutations.mutate(input, using: &random)
        }
        return Array(lines.joined(separator: "\n").utf8)
    }
}
