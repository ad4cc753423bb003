import Foundation

/// One way a case did not do what it expected, pointing at the fixture line.
public struct FixtureFailure: Sendable, Equatable {
    /// What was checked: `sends`, `tags of 5511…`, `script error`…
    public var subject: String
    /// `file:line` of the expectation (or event) in the fixture.
    public var location: String
    public var expected: [String]
    public var actual: [String]
}

/// The outcome of one case.
public struct FixtureCaseResult: Sendable {
    public var file: String
    public var line: Int
    public var name: String
    public var failures: [FixtureFailure]
    /// What the scripts logged during the case, shown when it fails.
    public var logs: [ScriptLogEntry]
    public var duration: TimeInterval
    public var passed: Bool { failures.isEmpty }
}

/// A whole `crm-host test` run: every case, and the files that could not run.
public struct FixtureRun: Sendable {
    public var results: [FixtureCaseResult]
    public var problems: [FixtureError]

    /// A run passes when it ran at least one case, every case passed and every file could be read.
    public var passed: Bool { !results.isEmpty && problems.isEmpty && results.allSatisfy(\.passed) }
    public var failedCount: Int { results.filter { !$0.passed }.count }
}
