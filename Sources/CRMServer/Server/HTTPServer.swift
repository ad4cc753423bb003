import Hummingbird
import HummingbirdCore
import Logging

/// Builds the daemon's HTTP side: the API of SPEC §8, `/sim` (SPEC §12), the
/// web inbox, health and metrics, all on one listener.
public enum HTTPServer {
    /// The router, separate from the listener so tests and benchmarks can reuse it.
    public static func router(service: any InboxService) -> Router<APIRequestContext> {
        let router = Router(context: APIRequestContext.self)
        router.add(middleware: ErrorShape())
        SystemRoutes(service: service).register(on: router)
        SessionRoutes(service: service).register(on: router)
        CloudWebhookRoutes(service: service).register(on: router)
        if let simulator = service.simulator {
            SimRoutes(simulator: simulator).register(on: router)
        }
        let api = router.group("api").add(middleware: Authentication(service: service))
        InstanceRoutes(service: service).register(on: api)
        ConversationRoutes(service: service).register(on: api)
        ScriptRoutes(service: service).register(on: api)
        EventRoutes(service: service).register(on: api)
        WebRoutes().register(on: router)
        return router
    }

    /// HTTP/1.1 with the busiest requests answered before the router
    /// (`DirectPath`); tests that listen use it too.
    public static func server(service: any InboxService, logger: Logger) -> HTTPServerBuilder {
        let routes: [any DirectRoute] = [
            CloudWebhookDirectRoute(delivery: CloudWebhookDelivery(service: service), logger: logger),
            InboxDirectRoute(service: service, logger: logger),
        ]
        return .http1(configuration: .init(additionalChannelHandlers: [DirectPath(routes: routes)]))
    }

    /// The application listening on `host:port`; run it with `runService()` or
    /// inside a ServiceGroup.
    public static func application(service: any InboxService, host: String, port: Int,
                                   logger: Logger) -> some ApplicationProtocol {
        Application(router: router(service: service), server: server(service: service, logger: logger),
                    configuration: .init(address: .hostname(host, port: port), serverName: "crm-host"),
                    logger: logger)
    }
}
