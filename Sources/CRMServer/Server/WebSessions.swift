import Crypto
import Foundation
import Synchronization

/// The web inbox's sign-ins: a random token in an HttpOnly cookie stands for
/// the API key it was opened with, so the cookie never carries the key.
/// A stolen cookie is then worth one session, which expires and which
/// signing out revokes. Tokens are kept in memory only, under their SHA-256
/// (a restart signs everyone out; the inbox opens a new session by itself).
final class WebSessions: Sendable {
    private struct Session {
        let key: String
        let expires: ContinuousClock.Instant
    }

    /// How long a session lasts from sign-in; the cookie's `Max-Age` too.
    static let lifetime = Duration.seconds(12 * 60 * 60)
    /// Sessions kept at once; past it, the one closest to expiring goes.
    static let capacity = 10_000

    private let sessions = Mutex<[Data: Session]>([:])

    /// Opens a session for `key`, already checked; returns its token.
    func open(key: String) -> String {
        var random = SystemRandomNumberGenerator()
        let token = Data((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &random) }).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        let now = ContinuousClock.now
        sessions.withLock { sessions in
            if sessions.count >= Self.capacity {
                sessions = sessions.filter { $0.value.expires > now }
                if sessions.count >= Self.capacity, let oldest = sessions.min(by: { $0.value.expires < $1.value.expires }) {
                    sessions[oldest.key] = nil
                }
            }
            sessions[Self.digest(token)] = Session(key: key, expires: now + Self.lifetime)
        }
        return token
    }

    /// The key a live session stands for; nil for an unknown, closed or expired token.
    func key(forToken token: String) -> String? {
        let digest = Self.digest(token)
        return sessions.withLock { sessions in
            guard let session = sessions[digest] else { return nil }
            guard session.expires > .now else {
                sessions[digest] = nil
                return nil
            }
            return session.key
        }
    }

    /// Signing out: the token no longer opens anything.
    func close(token: String) {
        let digest = Self.digest(token)
        _ = sessions.withLock { $0.removeValue(forKey: digest) }
    }

    private static func digest(_ token: String) -> Data {
        Data(SHA256.hash(data: Data(token.utf8)))
    }
}
