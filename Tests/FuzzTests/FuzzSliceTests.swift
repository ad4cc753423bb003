import FuzzTargets
import XCTest

/// A few seconds of every fuzz target, on a fixed seed, in the test suite.
/// `bin/fuzz` runs the same targets for as long as asked.
final class FuzzSliceTests: XCTestCase {
    /// Seconds per target: the whole slice stays well under a minute.
    static let budget: Duration = .seconds(4)
    static let seed: UInt64 = 23

    func test_jsonReadersKeepTheirInvariants() throws { try slice("json") }
    func test_cloudWebhooksKeepTheirInvariants() throws { try slice("cloud") }
    func test_httpFrontKeepsItsInvariants() throws { try slice("http") }
    func test_fixtureParserKeepsItsInvariants() throws { try slice("fixture") }
    func test_luaSandboxKeepsItsInvariants() throws { try slice("lua") }

    /// The suite runs beside other tests on shared cores, where a thread may
    /// wait its turn past 100 ms: the tight bound is for `bin/fuzz` and the
    /// Lua tests' own deadline test.
    static let deadlineMargin: Duration = .milliseconds(500)

    private func slice(_ name: String) throws {
        let target = try FuzzTargets.make(name, deadlineMargin: Self.deadlineMargin)
        let run = FuzzRunner.run(target, seed: Self.seed, for: Self.budget)
        if let (failure, input) = run.failure {
            XCTFail("""
                \(name) after \(run.cases) inputs: \(failure)
                input (base64): \(Data(input.prefix(65_536)).base64EncodedString())
                """)
        }
        XCTAssertGreaterThan(run.cases, target.seeds.count, "\(name) ran no mutated input in \(Self.budget)")
    }
}
