import CRMCore
import Crypto
import Foundation
import Synchronization

/// `X-Hub-Signature-256`: HMAC-SHA256 of the raw body with the app secret.
/// Checked before the body is parsed, in constant time.
public enum CloudSignature {
    /// Whether `header` (`sha256=<hex>`) signs `body` with `appSecret`.
    public static func isValid(body: [UInt8], header: String?, appSecret: String) -> Bool {
        guard let header, header.hasPrefix("sha256="),
              let given = hexBytes(header.dropFirst("sha256=".count)) else { return false }
        var mac = keyed(appSecret)
        mac.update(data: body)
        // The code's `==` with bytes compares in constant time.
        return mac.finalize() == given
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
    static func hexBytes(_ text: Substring) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count == 64 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        for pair in stride(from: 0, to: 64, by: 2) {
            guard let high = HexDigit.value(digits[pair]), let low = HexDigit.value(digits[pair + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        return bytes
    }
}
