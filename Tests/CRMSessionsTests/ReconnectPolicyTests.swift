@testable import CRMSessions
import XCTest

final class ReconnectPolicyTests: XCTestCase {
    func test_delaysDoubleUpToTheMaximum() {
        let policy = ReconnectPolicy(firstDelay: .seconds(1), maximumDelay: .seconds(10), jitter: 0.2)
        let middle = (1...6).map { policy.delay(afterFailures: $0, unit: 0.5) }
        XCTAssertEqual(middle, [.seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(10), .seconds(10)])
    }

    func test_jitterSpreadsEachDelayWithinItsBounds() {
        let policy = ReconnectPolicy(firstDelay: .seconds(2), maximumDelay: .seconds(60), jitter: 0.25)
        XCTAssertEqual(policy.delay(afterFailures: 1, unit: 0), .milliseconds(1500))
        XCTAssertEqual(policy.delay(afterFailures: 1, unit: 1), .milliseconds(2500))
        let spread = Set((0..<50).map { _ in policy.delay(afterFailures: 3) })
        XCTAssertGreaterThan(spread.count, 1, "random jitter varies")
        XCTAssertTrue(spread.allSatisfy { $0 >= .seconds(6) && $0 <= .seconds(10) })
    }
}
