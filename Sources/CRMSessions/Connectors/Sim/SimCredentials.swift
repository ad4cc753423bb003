import Foundation

/// A `sim` instance's session: the phone that scanned its QR code and the
/// secret the network gave the pair. Stored sealed by the instance's session.
public struct SimCredentials: Codable, Sendable, Equatable {
    public var phone: String
    public var secret: String

    public init(phone: String, secret: String) { self.phone = phone; self.secret = secret }

    public func encoded() -> Data {
        (try? JSONEncoder().encode(self)) ?? Data()
    }

    /// nil when the data is not a sim session (e.g. left by another connector).
    public init?(decoding data: Data) {
        guard let decoded = try? JSONDecoder().decode(SimCredentials.self, from: data) else { return nil }
        self = decoded
    }
}
