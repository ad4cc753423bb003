@testable import CRMServer
import XCTest

/// What `WebhookFront` answers itself and what it leaves to NIO's decoder.
final class WebhookRequestHeadTests: XCTestCase {
    let id = "6F9619FF-8B86-D011-B42D-00C04FC964FF"

    func head(_ lines: [String], target: String? = nil, requestLine: String? = nil) -> [UInt8] {
        let first = requestLine ?? "POST \(target ?? "/webhooks/cloud/\(id)") HTTP/1.1"
        return Array(([first] + lines).map { $0 + "\r\n" }.joined().utf8) + Array("\r\n".utf8)
    }

    let plain = ["Host: 127.0.0.1", "Content-Type: application/json", "X-Hub-Signature-256: sha256=ab12",
                 "Content-Length: 626"]

    func test_aPlainSignedPostIsRead() {
        let bytes = head(plain)
        let expected = WebhookRequestHead(instanceID: id.lowercased(), signature: "sha256=ab12", headLength: bytes.count,
                                          contentLength: 626, closing: false)
        XCTAssertEqual(WebhookRequestHead.read(bytes), .webhook(expected))
        XCTAssertEqual(WebhookRequestHead.read(bytes + Array("{\"object\":".utf8)), .webhook(expected),
                       "the body's first bytes are not the head's")
    }

    func test_everyCutShortOfTheBlankLineIsIncomplete() {
        let bytes = head(plain)
        for cut in 0..<bytes.count {
            XCTAssertEqual(WebhookRequestHead.read(bytes[..<cut]), .incomplete, "cut at \(cut)")
        }
    }

    func test_namesInAnyCaseAQueryAndConnectionClose() {
        let bytes = head(["content-LENGTH: 7", "x-hub-SIGNATURE-256:   sha256=ff  ", "Connection: keep-alive, Close"],
                         target: "/webhooks/cloud/\(id.lowercased())?source=meta")
        guard case .webhook(let read) = WebhookRequestHead.read(bytes) else { return XCTFail("not read") }
        XCTAssertEqual(read.contentLength, 7)
        XCTAssertEqual(read.signature, "sha256=ff")
        XCTAssertTrue(read.closing)
        XCTAssertEqual(read.instanceID, id.lowercased())
    }

    func test_aMissingSignatureIsLeftForTheDeliveryToRefuse() {
        guard case .webhook(let read) = WebhookRequestHead.read(head(["Content-Length: 2"])) else { return XCTFail("not read") }
        XCTAssertNil(read.signature)
    }

    func test_anythingElseGoesToTheDecoder() {
        let cases: [(String, [UInt8])] = [
            ("a GET", head(plain, requestLine: "GET /webhooks/cloud/\(id) HTTP/1.1")),
            ("another path", head(plain, target: "/api/instances")),
            ("a malformed id", head(plain, target: "/webhooks/cloud/not-an-id")),
            ("a path below the id", head(plain, target: "/webhooks/cloud/\(id)/more")),
            ("HTTP/1.0", head(plain, requestLine: "POST /webhooks/cloud/\(id) HTTP/1.0")),
            ("a space in the target", head(plain, target: "/webhooks/cloud/\(id)?a b")),
            ("chunked", head(["Transfer-Encoding: chunked"])),
            ("chunked beside a length", head(["Content-Length: 5", "transfer-encoding: chunked"])),
            ("100-continue", head(["Content-Length: 5", "Expect: 100-continue"])),
            ("an upgrade", head(["Content-Length: 5", "Upgrade: h2c"])),
            ("two lengths", head(["Content-Length: 5", "Content-Length: 5"])),
            ("no length", head(["Host: 127.0.0.1"])),
            ("a signed length", head(["Content-Length: +5"])),
            ("a length with a letter", head(["Content-Length: 5a"])),
            ("an empty length", head(["Content-Length: "])),
            ("two signatures", head(["Content-Length: 5", "X-Hub-Signature-256: a", "X-Hub-Signature-256: b"])),
            ("a space before the colon", head(["Content-Length : 5"])),
            ("a folded line", head(["Content-Length: 5", " folded: x"])),
            ("a line with no colon", head(["Content-Length: 5", "nonsense"])),
            ("a control byte in a value", head(["Content-Length: 5", "X-Note: a\u{1}b"])),
            ("bare LF line ends", Array("POST /webhooks/cloud/\(id) HTTP/1.1\nContent-Length: 5\n\n".utf8)),
            ("a bare CR", Array("POST /webhooks/cloud/\(id) HTTP/1.1\rContent-Length: 5\r\n\r\n".utf8)),
            ("a head over the limit", head(plain + ["X-Padding: " + String(repeating: "p", count: WebhookRequestHead.headLimit)])),
        ]
        for (name, bytes) in cases {
            XCTAssertEqual(WebhookRequestHead.read(bytes), .other, name)
        }
    }

    func test_aHeadStillComingWithinTheLimitWaits() {
        let start = Array("POST /webhooks/cloud/\(id) HTTP/1.1\r\nX-Padding: ".utf8)
        XCTAssertEqual(WebhookRequestHead.read(start + [UInt8](repeating: UInt8(ascii: "p"), count: 4000)), .incomplete)
        XCTAssertEqual(WebhookRequestHead.read(start + [UInt8](repeating: UInt8(ascii: "p"), count: 9000)), .other)
    }
}
