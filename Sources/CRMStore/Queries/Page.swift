import Foundation

/// One page of a list with the opaque cursor of the next, nil on the last page.
public struct Page<Item: Sendable & Equatable>: Sendable, Equatable {
    public var items: [Item]
    public var nextCursor: String?
}

/// Keyset cursors: the sort key of the last row of a page, base64url-encoded so
/// callers treat them as opaque.
enum Cursor {
    static func encode(_ parts: [String]) -> String {
        // One pass from base64 to its URL-safe alphabet, without padding: every
        // page of the inbox ends with a cursor, and three Foundation
        // replacements cost more than the rest of it.
        var encoded: [UInt8] = []
        for byte in Data(parts.joined(separator: "|").utf8).base64EncodedData() {
            switch byte {
            case UInt8(ascii: "+"): encoded.append(UInt8(ascii: "-"))
            case UInt8(ascii: "/"): encoded.append(UInt8(ascii: "_"))
            case UInt8(ascii: "="): continue
            default: encoded.append(byte)
            }
        }
        return String(decoding: encoded, as: UTF8.self)
    }

    static func decode(_ cursor: String, parts count: Int) throws -> [String] {
        var base64 = cursor.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8) else {
            throw StoreError.invalidCursor(cursor)
        }
        let parts = text.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == count else { throw StoreError.invalidCursor(cursor) }
        return parts
    }
}
