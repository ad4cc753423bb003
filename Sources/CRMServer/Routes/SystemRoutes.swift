import Hummingbird

/// `/healthz` and `/metrics`: for load balancers and Prometheus, without auth.
struct SystemRoutes {
    let service: any InboxService

    func register(on router: Router<APIRequestContext>) {
        router.get("healthz") { _, _ in
            try Response.json(["status": "ok"])
        }
        router.get("metrics") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers,
                            body: .init(byteBuffer: ByteBuffer(string: await service.metrics())))
        }
    }
}
