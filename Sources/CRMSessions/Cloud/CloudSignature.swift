import CRMCore
import Crypto
import Foundation
import Synchronization

/// `X-Hub-Signature-256`: HMAC-SHA256 of the raw body with the app secret.
/// Checked before the body is parsed, in constant time.
public enum CloudSignature {
    /// Whether `header` (`sha256=<hex>`) signs `body` with `appSecret`.
    public static func isValid(body: [UInt8], header: String?, appSecret: String) -> Bool {
        guard let header, header.hasPrefix("sha256="), let given = hexBytes(header.utf8.dropFirst("sha256=".count))
        else { return false }
        var mac = keyed(appSecret)
        mac.update(data: body)
        return mac.finalize().withUnsafeBytes { computed in
            // Every byte is compared whatever the first difference, so the
            // time taken says nothing of where it lies.
            guard computed.count == given.count else { return false }
            var difference: UInt8 = 0
            for index in 0..<computed.count { difference |= computed[index] ^ given[index] }
            return difference == 0
        }
    }

    /// The header value for `body`, as Meta computes it (the test emulator signs with it).
    public static func header(body: [UInt8], appSecret: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Array(appSecret.utf8)))
        return "sha256=" + code.map { String(format: "%02x", $0) }.joined()
    }

    /// An HMAC already keyed with each app secret seen: keying costs two hash
    /// blocks and a key allocation, on every webhook otherwise. Secrets are
    /// few (one per cloud instance); the map is emptied if it ever holds many.
    private static let keyedBySecret = Mutex<[String: HMAC<SHA256>]>([:])

    private static func keyed(_ appSecret: String) -> HMAC<SHA256> {
        keyedBySecret.withLock { keyed in
            if let mac = keyed[appSecret] { return mac }
            if keyed.count >= 1_024 { keyed.removeAll() }
            let mac = HMAC<SHA256>(key: SymmetricKey(data: Array(appSecret.utf8)))
            keyed[appSecret] = mac
            return mac
        }
    }

    /// The bytes of 64 hex digits, either case; nil for anything else.
    static func hexBytes(_ text: Substring.UTF8View) -> [UInt8]? {
        let fast = text.withContiguousStorageIfAvailable { hexBytes(digits: $0) }
        return fast ?? hexBytes(digits: Array(text))
    }

    private static func hexBytes(digits: some Collection<UInt8>) -> [UInt8]? {
        guard digits.count == 64 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        var high: UInt8?
        for digit in digits {
            guard let value = HexDigit.value(digit) else { return nil }
            if let first = high {
                bytes.append(first << 4 | value)
                high = nil
            } else {
                high = value
            }
        }
        return bytes
    }
}
