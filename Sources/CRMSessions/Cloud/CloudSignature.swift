import CRMCore
import Crypto
import Foundation
import Synchronization

/// `X-Hub-Signature-256`: HMAC-SHA256 of the raw body with the app secret.
/// Checked before the body is parsed, in constant time.
public enum CloudSignature {
    /// Whether `header` (`sha256=<hex>`) signs `body` with `appSecret`.
    public static func isValid(body: [UInt8], header: String?, appSecret: String) -> Bool {
        guard var header, header.hasPrefix("sha256=") else { return false }
        let computed = body.withUnsafeBytes { keyed(appSecret).code(for: $0) }
        return header.withUTF8 { text in
            computed.withUnsafeBytes { matches(hex: UnsafeBufferPointer(rebasing: text.dropFirst("sha256=".count)), $0) }
        }
    }

    /// The header value for `body`, as Meta computes it (the test emulator
    /// signs with it). swift-crypto's own HMAC, so that the tests check
    /// `SignatureKey` against it.
    public static func header(body: [UInt8], appSecret: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Array(appSecret.utf8)))
        return "sha256=" + code.map { String(format: "%02x", $0) }.joined()
    }

    /// A key for each app secret seen: keying costs two hash blocks, on
    /// every webhook otherwise. Secrets are few (one per cloud instance);
    /// the map is emptied if it ever holds many.
    private static let keyedBySecret = Mutex<[String: SignatureKey]>([:])

    private static func keyed(_ appSecret: String) -> SignatureKey {
        keyedBySecret.withLock { keyed in
            if let mac = keyed[appSecret] { return mac }
            if keyed.count >= 1_024 { keyed.removeAll() }
            let mac = SignatureKey(Array(appSecret.utf8))
            keyed[appSecret] = mac
            return mac
        }
    }

    /// Whether `hex` is `bytes` in hex digits, either case. Every digit is
    /// read and compared whatever the first difference, so the time taken
    /// says nothing of where it lies.
    static func matches(hex: UnsafeBufferPointer<UInt8>, _ bytes: UnsafeRawBufferPointer) -> Bool {
        guard hex.count == 2 * bytes.count else { return false }
        var difference: UInt8 = 0
        var wellFormed = true
        for index in 0..<bytes.count {
            let high = HexDigit.value(hex[2 * index]), low = HexDigit.value(hex[2 * index + 1])
            wellFormed = wellFormed && high != nil && low != nil
            difference |= ((high ?? 0) << 4 | (low ?? 0)) ^ bytes[index]
        }
        return wellFormed && difference == 0
    }
}
