import CRMCore
@testable import CRMScripting
import Foundation
import Yams

/// `crm-host test`'s fixture files: `FixtureParser` on YAML a bot author (or
/// a mistake) writes, then the cases it accepted played against the repo's
/// example bots.
///
/// Invariants: parsing never traps and fails with a `FixtureError` naming the
/// file and a line inside it; what parses parses the same once written
/// again by Yams (the parser depends on the tree, not the spelling); the
/// cases run to their end (failures are results, not crashes).
final class FixtureTarget: FuzzTarget {
    let name = "fixture"
    let hangLimit: Duration = .seconds(60)
    private let world: URL
    private var runs = 0

    /// The repository's `scripts/`, whose bots the fuzzed cases run against.
    static let scripts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("scripts")

    static let folder = "5511999998888"

    init() {
        world = FileManager.default.temporaryDirectory.appendingPathComponent("crm-fuzz-fixtures-\(UUID().uuidString)")
        try? FileManager.default.copyItem(at: FixtureTarget.scripts, to: world)
    }

    deinit { try? FileManager.default.removeItem(at: world) }

    var seeds: [[UInt8]] {
        let files = ["5511999998888/tests/sales.yaml", "5511988887777/tests/support.yaml"]
        return files.compactMap { FileManager.default.contents(atPath: FixtureTarget.scripts.appendingPathComponent($0).path) }
            .map(Array.init) + [Array(FixtureTarget.builtIn.utf8)]
    }

    static let builtIn = """
        instance: { name: vendas, phone: "5511999998888", id: inst-1 }
        clock: "2026-11-30T10:00:00-03:00"
        cases:
          - name: every kind of event
            clock: "2026-11-30T22:00:00.5-03:00"
            kv: { count: 1, nested: { list: [1, 2.5, "x", null, true] } }
            events:
              - message: { from: "5511911112222", name: "João", text: "preço", media: { type: image, url: "https://x/y.png" } }
              - message: { from: "BR.15", username: "joao", text: "oi", group: { id: "g1", name: "Grupo" } }
              - advance: 1h30m
              - status: { to: "5511911112222", status: read, reason: "ok" }
              - connection: { status: disconnected, reason: "lost" }
              - timer: { name: followup, payload: { n: 1 } }
              - operator: { to: "5511911112222" }
            expect:
              sends: [ { to: "5511911112222", text: "/.*/i" }, { template: hello, media: image } ]
              allow_other_sends: true
              tags: { "5511911112222": [lead, vip] }
              assign: { "5511911112222": null }
              kv: { count: 2, gone: null }
              error: "/never/"
        """

    func mutate(_ input: [UInt8], using random: inout FuzzRandom) -> [UInt8] {
        FixtureMutations.mutate(input, using: &random)
    }

    func run(_ input: [UInt8]) throws(FuzzFailure) -> Bool {
        let text = String(decoding: input, as: UTF8.self)
        let path = "\(FixtureTarget.folder)/tests/fuzz.yaml"
        let parser = FixtureParser(path: path, folder: FixtureTarget.folder)
        let file: FixtureFile
        do {
            file = try parser.parse(text)
        } catch {
            let lines = FixtureTarget.lineCount(text)
            guard error.file == path, (error.line ?? 0) <= lines + 1, !error.message.isEmpty else {
                throw FuzzFailure("a fixture error that points nowhere: \(error) (the file has \(lines) lines)")
            }
            return false
        }
        try sameOnceRewritten(text, file, parser)
        try play(input)
        return true
    }

    /// Lines as YAML counts them: a CR, an LF, a CRLF, a NEL, a line or
    /// paragraph separator each end one.
    static func lineCount(_ text: String) -> Int {
        var breaks = 0
        var previous: Unicode.Scalar?
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": if previous != "\r" { breaks += 1 }
            case "\r", "\u{85}", "\u{2028}", "\u{2029}": breaks += 1
            default: break
            }
            previous = scalar
        }
        return breaks + 1
    }

    /// The file written again from Yams' tree parses to the same cases.
    private func sameOnceRewritten(_ text: String, _ file: FixtureFile, _ parser: FixtureParser) throws(FuzzFailure) {
        guard let node = try? Yams.compose(yaml: text), let rewritten = try? Yams.serialize(node: node) else { return }
        let again: FixtureFile
        do { again = try parser.parse(rewritten) } catch {
            throw FuzzFailure("the file no longer parses once Yams writes it again: \(error)\n\(rewritten.prefix(2_000))")
        }
        guard again.cases.map(\.name) == file.cases.map(\.name), again.cases.map(\.events.count) == file.cases.map(\.events.count),
              again.instance == file.instance, again.clock == file.clock else {
            throw FuzzFailure("the file parses to other cases once Yams writes it again:\n\(rewritten.prefix(2_000))")
        }
    }

    /// Plays the cases against the example bot, through `crm-host test`'s runner.
    private func play(_ input: [UInt8]) throws(FuzzFailure) {
        let tests = world.appendingPathComponent(FixtureTarget.folder).appendingPathComponent("tests")
        guard FileManager.default.createFile(atPath: tests.appendingPathComponent("fuzz.yaml").path, contents: Data(input)) else {
            throw FuzzFailure("cannot write the fixture into \(tests.path)")
        }
        let run = FixtureRunner(directory: world).run(filter: "fuzz.yaml")
        guard run.problems.isEmpty else { throw FuzzFailure("the runner cannot read a file the parser read: \(run.problems)") }
        runs += 1
    }
}
