import NIOCore

/// The bounds every connection of a listener lives within, so that no
/// client, signed in or not, holds a connection, a slot or the host's
/// memory for as long as it likes. `serve` sets them from its options.
public struct ConnectionLimits: Sendable, Equatable {
    /// A request's head must arrive whole within this of its first byte.
    public var headerTimeout: TimeAmount
    /// While a request's body is read, the client may pause no longer than this.
    public var readTimeout: TimeAmount
    /// A connection with no request being read and no answer due is closed after this.
    public var idleTimeout: TimeAmount
    /// Connections open at once; more wait in the listen backlog until one closes.
    public var maxConnections: Int
    /// Longest request head (request line and header fields); a longer one is answered 431.
    public var maxHeadBytes: Int

    /// - Parameters:
    ///   - headerTimeout: 10 s by default, as nginx's `client_header_timeout` is a few.
    ///   - readTimeout: 30 s by default.
    ///   - idleTimeout: 60 s by default: longer than webhook senders keep connections idle.
    ///   - maxConnections: 512 by default.
    ///   - maxHeadBytes: 32 KiB by default.
    public init(headerTimeout: TimeAmount = .seconds(10), readTimeout: TimeAmount = .seconds(30),
                idleTimeout: TimeAmount = .seconds(60), maxConnections: Int = 512, maxHeadBytes: Int = 32 * 1024) {
        self.headerTimeout = headerTimeout
        self.readTimeout = readTimeout
        self.idleTimeout = idleTimeout
        self.maxConnections = maxConnections
        self.maxHeadBytes = maxHeadBytes
    }

    /// How often a connection's deadlines are checked: a connection is
    /// closed at most this late, and no timer is set per request.
    var checkInterval: TimeAmount {
        .nanoseconds(max(min(headerTimeout.nanoseconds, readTimeout.nanoseconds, idleTimeout.nanoseconds) / 4, 5_000_000))
    }
}
