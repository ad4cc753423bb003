import Foundation
import XCTest
@testable import CRMStore

/// Cursors are base64url written in one pass; they must read as they did when
/// Foundation's replacements wrote them, and decode to what was encoded.
final class CursorTests: XCTestCase {
    func test_cursorsAreBase64URLWithoutPaddingAndDecodeBack() throws {
        var generator = SystemRandomNumberGenerator()
        for length in 0..<40 {
            for _ in 0..<25 {
                // Bytes above 0xF8 give base64 its '+' and '/'; lengths give every padding.
                let first = String(decoding: (0..<length).map { _ in UInt8.random(in: 0x20...0x7E, using: &generator) }
                    .map { $0 == UInt8(ascii: "|") ? UInt8(ascii: "?") : $0 }, as: UTF8.self)
                let second = String((0..<(length % 7)).map { _ in Character(UnicodeScalar(UInt8.random(in: 0xC0...0xFF, using: &generator))) })
                let parts = [first, second]
                let expected = Data(parts.joined(separator: "|").utf8).base64EncodedString()
                    .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                    .replacingOccurrences(of: "=", with: "")
                let cursor = Cursor.encode(parts)
                XCTAssertEqual(cursor, expected)
                XCTAssertEqual(try Cursor.decode(cursor, parts: 2), parts)
            }
        }
    }
}
