import ArgumentParser
import CRMServer
import Foundation
import NIOCore

/// `serve`'s options for its listener: where `/sim` answers, whether the
/// inbox's cookie is `Secure`, and the limits every connection lives within.
/// `/metrics` answers the keys of the company `default` and, when set, the
/// token in `CRM_METRICS_TOKEN` (an environment variable, never an option,
/// so it does not show in the process list).
struct ListenerArguments: ParsableArguments {
    @Flag(help: "Serve /sim on a listener that is not loopback too. It has no auth: whoever reaches the listener plays WhatsApp and reads what the bots sent.")
    var sim = false

    @Option(help: "The address browsers reach the inbox at; https makes the session cookie Secure (CRM_PUBLIC_URL sets it too).")
    var publicURL: String?

    @Option(help: "Seconds a request's head may take from its first byte.")
    var headerTimeout: Double = 10

    @Option(help: "Seconds a request's body may stall between two reads.")
    var readTimeout: Double = 30

    @Option(help: "Seconds a connection may stay idle with no request and no answer due.")
    var idleTimeout: Double = 60

    @Option(help: "Connections open at once; more wait until one closes.")
    var maxConnections: Int = 512

    func validate() throws {
        for (name, seconds) in [("--header-timeout", headerTimeout), ("--read-timeout", readTimeout), ("--idle-timeout", idleTimeout)]
        where !(seconds > 0 && seconds <= 86_400) {
            throw ValidationError("\(name) must be more than 0 and at most 86400 seconds")
        }
        if maxConnections < 1 { throw ValidationError("--max-connections must be at least 1") }
    }

    /// The listener's options on `host`, with the environment's settings.
    func options(host: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> ListenerOptions {
        let publicURL = publicURL ?? environment["CRM_PUBLIC_URL"]
        let token = environment["CRM_METRICS_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        return ListenerOptions(
            limits: ConnectionLimits(headerTimeout: Self.amount(headerTimeout), readTimeout: Self.amount(readTimeout),
                                     idleTimeout: Self.amount(idleTimeout), maxConnections: maxConnections),
            servesSimulator: sim || ListenerOptions.isLoopback(host),
            metricsToken: token,
            secureCookies: publicURL?.lowercased().hasPrefix("https://") == true)
    }

    private static func amount(_ seconds: Double) -> TimeAmount {
        .milliseconds(Int64((seconds * 1000).rounded()))
    }
}
