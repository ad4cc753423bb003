@testable import CRMServer
import XCTest

final class HTTPDateTests: XCTestCase {
    func test_formatsAsRFC9110Says() {
        XCTAssertEqual(HTTPDate.format(784_111_777), "Sun, 06 Nov 1994 08:49:37 GMT")
        XCTAssertEqual(HTTPDate.format(1_795_972_985), "Sun, 29 Nov 2026 17:23:05 GMT")
    }
}
