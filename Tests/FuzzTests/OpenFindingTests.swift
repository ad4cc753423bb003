@testable import CRMServer
import XCTest

/// Inputs the `http` fuzz target found in the webhook front's head reader,
/// kept as regressions: the first one trapped the whole process.
final class OpenFindingTests: XCTestCase {
    /// A request line whose CR is the last byte within the head limit (8 KiB)
    /// and whose LF is the first beyond it: `WebhookRequestHead.Lines`
    /// counts 8,193 bytes consumed and asks for a prefix of -1 bytes for the
    /// next line, a trap. Any anonymous client sending this to
    /// `/webhooks/cloud/<any well-formed id>` stops the daemon. Found by the
    /// `http` fuzz target.
    func test_requestLineEndingAtTheHeadLimitIsNotATrap() throws {
        let start = Array("POST /webhooks/cloud/00000000-0000-0000-0000-000000000000?".utf8)
        let end = Array(" HTTP/1.1".utf8)
        let line = start + Array(repeating: UInt8(ascii: "q"), count: WebhookRequestHead.headLimit - 1 - start.count - end.count) + end
        XCTAssertEqual(line.count, WebhookRequestHead.headLimit - 1)
        XCTAssertEqual(WebhookRequestHead.read(line + Array("\r\nContent-Length: 0\r\n\r\n".utf8)), .other)
    }

    /// The front answers a webhook whose query holds bytes NIO's decoder
    /// refuses (`invalid URL`, a 400 there): the same request gets 200 or 400
    /// depending on the path it takes. Found by the `http` fuzz target's
    /// comparison with NIO.
    func test_frontTakesAQueryNIORefuses() throws {
        let head = "POST /webhooks/cloud/00000000-0000-0000-0000-000000000000?q\u{C0}\u{01} HTTP/1.1\r\nContent-Length: 0\r\n\r\n"
        XCTAssertEqual(WebhookRequestHead.read(Array(head.utf8)), .other)
    }
}
