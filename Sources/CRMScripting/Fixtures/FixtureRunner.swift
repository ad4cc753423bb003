import CRMCore
import Foundation

/// `crm-host test`: finds `DIR/*/tests/*.yaml` and, for the bots of companies
/// other than `default`, `DIR/companies/*/*/tests/*.yaml`; runs every case in a
/// fresh sandbox against an in-memory world with a fixed clock, and compares
/// what the scripts did with the case's `expect`.
public struct FixtureRunner: Sendable {
    /// The scripts folder whose `*/tests/*.yaml` run.
    public var directory: URL
    /// Limits of every case's sandbox, as in the daemon.
    public var caps: ScriptCaps

    /// The clock of cases and files that give none: 2026-11-01T12:00:00Z.
    public static let defaultClock = Date(timeIntervalSince1970: 1_793_534_400)

    public init(directory: URL, caps: ScriptCaps = ScriptCaps()) {
        self.directory = directory
        self.caps = caps
    }

    /// Runs every case whose file path or name contains `filter` (ignoring case).
    public func run(filter: String? = nil) -> FixtureRun {
        var run = FixtureRun(results: [], problems: [])
        let filter = filter.flatMap { $0.isEmpty ? nil : $0.lowercased() }
        for (bot, path) in fixtureFiles() {
            let file: FixtureFile
            do {
                let data = FileManager.default.contents(atPath: directory.appendingPathComponent(path).path) ?? Data()
                file = try FixtureParser(path: path, folder: bot.name).parse(String(decoding: data, as: UTF8.self))
            } catch {
                run.problems.append(error)
                continue
            }
            let cases = file.cases.filter { testCase in
                guard let filter else { return true }
                return path.lowercased().contains(filter) || testCase.name.lowercased().contains(filter)
            }
            guard !cases.isEmpty else { continue }
            let sources = ScriptSources.read(directory: bot.company.url(in: directory), folder: bot.name)
            for testCase in cases { run.results.append(self.run(testCase, of: file, sources: sources)) }
        }
        return run
    }

    /// Fixture files as (bot folder, path relative to the directory): the
    /// default company's first, then each other company's, sorted.
    func fixtureFiles() -> [(BotFolder, String)] {
        let manager = FileManager.default
        let companiesFolder = directory.appendingPathComponent(CompanyFolder.companiesFolder)
        let others = ((try? manager.contentsOfDirectory(atPath: companiesFolder.path)) ?? []).sorted()
            .compactMap(CompanyFolder.init(company:)).filter { $0 != .default }
        var files: [(BotFolder, String)] = []
        for company in [.default] + others {
            let folders = ((try? manager.contentsOfDirectory(atPath: company.url(in: directory).path)) ?? [])
                .filter(company.isBotFolder)
            for folder in folders.sorted() {
                let bot = BotFolder(company: company, name: folder)
                let tests = directory.appendingPathComponent(bot.path).appendingPathComponent("tests")
                for name in ((try? manager.contentsOfDirectory(atPath: tests.path)) ?? []).sorted()
                where name.hasSuffix(".yaml") || name.hasSuffix(".yml") {
                    files.append((bot, "\(bot.path)/tests/\(name)"))
                }
            }
        }
        return files
    }

    private func run(_ testCase: FixtureCase, of file: FixtureFile, sources: ScriptSources) -> FixtureCaseResult {
        let started = Date()
        let transcript = Transcript()
        var result = FixtureCaseResult(file: file.path, line: testCase.line, name: testCase.name, failures: [], logs: [],
                                       duration: 0)
        let world = MemoryScriptContext(instance: file.instance,
                                        now: testCase.clock ?? file.clock ?? FixtureRunner.defaultClock)
        world.store = testCase.kv
        let runtime: ScriptRuntime
        do {
            runtime = try ScriptRuntime(sources: sources, instance: file.instance, caps: caps, log: transcript.append)
        } catch {
            result.failures.append(FixtureFailure(subject: "the bot does not load", location: "\(file.path):\(testCase.line)",
                                                  expected: ["a bot that loads"], actual: [error.description]))
            result.logs = transcript.entries
            return result
        }
        var player = CasePlayer(runtime: runtime, world: world, file: file.path)
        for event in testCase.events { player.play(event) }
        result.failures = player.problems + FixtureComparison(file: file.path, world: world, errors: player.errors)
            .failures(for: testCase.expect)
        result.logs = transcript.entries
        result.duration = Date().timeIntervalSince(started)
        return result
    }
}

/// Collects a case's log lines; the sink may be called from the runtime only.
private final class Transcript: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [ScriptLogEntry] = []
    var entries: [ScriptLogEntry] { lock.withLock { stored } }
    func append(_ entry: ScriptLogEntry) { lock.withLock { stored.append(entry) } }
}
