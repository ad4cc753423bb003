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

    /// HTTP/1.1 with the busiest requests answered before the router:
    /// webhooks from the connection's bytes (`WebhookFront`), then the
    /// requests `DirectPath` takes from NIO's decoder; tests that listen use it too.
    public static func server(service: any InboxService, logger: Logger) -> HTTPServerBuilder {
        let delivery = CloudWebhookDelivery(service: service)
        let routes: [any DirectRoute] = [
            CloudWebhookDirectRoute(delivery: delivery, logger: logger),
            InboxDirectRoute(service: service, logger: logger),
        ]
        return HTTPServerBuilder { responder in
            FrontedHTTP1Channel(
                http1: HTTP1Channel(responder: responder,
                                    configuration: .init(additionalChannelHandlers: [DirectPath(routes: routes)])),
                front: { WebhookFront(delivery: delivery, logger: logger) })
        }
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
