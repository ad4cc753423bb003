import Crypto

/// HMAC-SHA256 (RFC 2104) keyed once: the hash states after the inner and
/// the outer padded key, copied for each message.
///
/// swift-crypto's `HMAC` takes a message only as a generic `DataProtocol`,
/// walked region by region without being specialized; on a webhook's way in
/// that walk cost about as much as hashing the body itself. `SHA256` takes
/// raw bytes.
struct SignatureKey {
    private let inner: SHA256
    private let outer: SHA256

    init(_ key: [UInt8]) {
        var block = key.count > SHA256.blockByteCount ? Array(SHA256.hash(data: key)) : key
        block += repeatElement(0, count: SHA256.blockByteCount - block.count)
        var inner = SHA256(), outer = SHA256()
        inner.update(data: block.map { $0 ^ 0x36 })
        outer.update(data: block.map { $0 ^ 0x5c })
        self.inner = inner
        self.outer = outer
    }

    /// The message's authentication code.
    func code(for message: UnsafeRawBufferPointer) -> SHA256.Digest {
        var inner = inner
        inner.update(bufferPointer: message)
        var outer = outer
        inner.finalize().withUnsafeBytes { outer.update(bufferPointer: $0) }
        return outer.finalize()
    }
}
