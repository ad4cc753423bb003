import Hummingbird
import HummingbirdCore
import Logging

/// Builds the daemon's HTTP side: the API of SPEC §8, `/sim` (SPEC §12), the
/// web inbox, health and metrics, all on one listener.
public enum HTTPServer {
    /// The router, separate from the listener so tests and benchmarks can reuse it.
    /// - Parameters:
    ///   - service: what the routes ask.
    ///   - options: whether `/sim` is served, who reads `/metrics`, the cookies' `Secure`.
    public static func router(service: any InboxService, options: ListenerOptions = ListenerOptions()) -> Router<APIRequestContext> {
        let router = Router(context: APIRequestContext.self)
        let sessions = WebSessions()
        router.add(middleware: ErrorShape())
        SystemRoutes(service: service, metricsToken: options.metricsToken).register(on: router)
        SessionRoutes(service: service, sessions: sessions, secureCookies: options.secureCookies).register(on: router)
        CloudWebhookRoutes(service: service).register(on: router)
        if options.servesSimulator, let simulator = service.simulator {
            SimRoutes(simulator: simulator).register(on: router)
        }
        let api = router.group("api").add(middleware: Authentication(service: service, sessions: sessions))
        InstanceRoutes(service: service).register(on: api)
        ConversationRoutes(service: service).register(on: api)
        ScriptRoutes(service: service).register(on: api)
        EventRoutes(service: service).register(on: api)
        WebRoutes().register(on: router)
        return router
    }

    /// HTTP/1.1 with the busiest requests answered before the router:
    /// webhooks from the connection's bytes (`WebhookFront`), then the
    /// requests `DirectPath` takes from NIO's decoder; tests that listen use it too.
    /// - Parameters:
    ///   - limits: every connection's timeouts and head size; the connection
    ///     count is the application's (`configuration`).
    public static func server(service: any InboxService, logger: Logger,
                              limits: ConnectionLimits = ConnectionLimits()) -> HTTPServerBuilder {
        let delivery = CloudWebhookDelivery(service: service)
        let routes: [any DirectRoute] = [
            CloudWebhookDirectRoute(delivery: delivery, logger: logger),
            InboxDirectRoute(service: service, logger: logger),
        ]
        let decoder = HTTP1Channel.Configuration.DecoderConfiguration(
            maxHeaderFieldSize: limits.maxHeadBytes, maxHeaderListSize: limits.maxHeadBytes)
        return HTTPServerBuilder { responder in
            FrontedHTTP1Channel(
                http1: HTTP1Channel(responder: responder,
                                    configuration: .init(additionalChannelHandlers: [RequestBoundaries(), DirectPath(routes: routes)],
                                                         httpDecoderConfiguration: decoder)),
                limits: limits,
                front: { WebhookFront(delivery: delivery, logger: logger) })
        }
    }

    /// The listener's configuration: its address, and at most
    /// `limits.maxConnections` connections, the others waiting in the backlog.
    public static func configuration(host: String, port: Int, limits: ConnectionLimits) -> ApplicationConfiguration {
        ApplicationConfiguration(address: .hostname(host, port: port), serverName: "crm-host",
                                 availableConnectionsDelegate: MaximumAvailableConnections(limits.maxConnections))
    }

    /// The application listening on `host:port`; run it with `runService()` or
    /// inside a ServiceGroup.
    public static func application(service: any InboxService, host: String, port: Int,
                                   options: ListenerOptions = ListenerOptions(), logger: Logger) -> some ApplicationProtocol {
        Application(router: router(service: service, options: options),
                    server: server(service: service, logger: logger, limits: options.limits),
                    configuration: configuration(host: host, port: port, limits: options.limits),
                    logger: logger)
    }
}
