import Crypto
import Foundation
import Hummingbird

/// `/healthz` for load balancers, without auth; `/metrics` for the operator's
/// Prometheus, which names every company's instances and so answers only to
/// `Authorization: Bearer` with `CRM_METRICS_TOKEN` or a key of the company
/// `default`, the operator's own (scrape config: `authorization:
/// {credentials_file: …}`); anyone else gets 401.
struct SystemRoutes {
    let service: any InboxService
    let metricsToken: String?

    func register(on router: Router<APIRequestContext>) {
        router.get("healthz") { _, _ in
            try Response.json(["status": "ok"])
        }
        router.get("metrics") { request, _ in
            guard let key = Authentication.key(authorization: request.headers[.authorization]),
                  await isOperator(key) else { throw APIError.unauthorized }
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers,
                            body: .init(byteBuffer: ByteBuffer(string: await service.metrics())))
        }
    }

    private func isOperator(_ key: String) async -> Bool {
        // Digests compare in constant time; the token's length stays hidden too.
        if let metricsToken, SHA256.hash(data: Data(key.utf8)) == SHA256.hash(data: Data(metricsToken.utf8)) { return true }
        return await service.tenant(forKey: key)?.companyName == Bootstrap.company
    }
}
