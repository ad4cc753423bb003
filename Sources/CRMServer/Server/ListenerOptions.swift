/// What one listener serves and how it guards itself: `serve` builds it from
/// its options and the address it listens on.
public struct ListenerOptions: Sendable {
    /// Timeouts, connection count and head size (`ConnectionLimits`' defaults).
    public var limits: ConnectionLimits
    /// `/sim` answers here: on loopback listeners, or anywhere with `--sim` (SPEC §12).
    public var servesSimulator: Bool
    /// `CRM_METRICS_TOKEN`: a bearer token for `/metrics`, beside the keys of
    /// the company `default`, for a Prometheus that holds no API key.
    public var metricsToken: String?
    /// The inbox's session cookie is always `Secure`: the public URL is https.
    /// Without it, a request that came through a proxy as
    /// `X-Forwarded-Proto: https` still gets a `Secure` cookie.
    public var secureCookies: Bool

    /// - Parameters:
    ///   - limits: the connections' bounds.
    ///   - servesSimulator: whether `/sim` answers on this listener.
    ///   - metricsToken: the operator's token for `/metrics`, if any.
    ///   - secureCookies: whether the public URL is https.
    public init(limits: ConnectionLimits = ConnectionLimits(), servesSimulator: Bool = true,
                metricsToken: String? = nil, secureCookies: Bool = false) {
        self.limits = limits
        self.servesSimulator = servesSimulator
        self.metricsToken = metricsToken
        self.secureCookies = secureCookies
    }

    /// Whether `host`, a listen address, only takes connections from this machine.
    public static func isLoopback(_ host: String) -> Bool {
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        return bare == "localhost" || bare == "::1" || bare.hasPrefix("127.")
    }
}
