import Crypto
import Foundation

/// `X-Hub-Signature-256`: HMAC-SHA256 of the raw body with the app secret.
/// Checked before the body is parsed, in constant time.
public enum CloudSignature {
    /// Whether `header` (`sha256=<hex>`) signs `body` with `appSecret`.
    public static func isValid(body: [UInt8], header: String?, appSecret: String) -> Bool {
        guard let header, header.hasPrefix("sha256="),
              let given = hexBytes(header.dropFirst("sha256=".count)) else { return false }
        let key = SymmetricKey(data: Array(appSecret.utf8))
        return HMAC<SHA256>.isValidAuthenticationCode(given, authenticating: body, using: key)
    }

    /// The header value for `body`, as Meta computes it (the test emulator signs with it).
    public static func header(body: [UInt8], appSecret: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Array(appSecret.utf8)))
        return "sha256=" + code.map { String(format: "%02x", $0) }.joined()
    }

    static func hexBytes(_ text: Substring) -> [UInt8]? {
        guard text.count == 64 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            guard let byte = UInt8(text[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        return bytes
    }
}
