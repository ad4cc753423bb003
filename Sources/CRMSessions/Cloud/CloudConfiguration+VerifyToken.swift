import Crypto

extension CloudConfiguration {
    /// Whether `token` is this instance's `verify_token` (Meta's GET
    /// handshake). The two are hashed and the digests compared in constant
    /// time: how long a refusal takes says nothing of how much of a guess
    /// was right, nor of the token's length.
    public func acceptsVerifyToken(_ token: some StringProtocol) -> Bool {
        SHA256.hash(data: Array(token.utf8)) == SHA256.hash(data: Array(verifyToken.utf8))
    }
}
