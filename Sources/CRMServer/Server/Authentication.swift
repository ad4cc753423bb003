import Hummingbird

/// Resolves `Authorization: Bearer <key>` (or the inbox's session cookie, since
/// EventSource cannot send headers) to a tenant; anything else answers 401.
struct Authentication: RouterMiddleware {
    typealias Context = APIRequestContext
    let service: any InboxService
    static let cookieName = "crm_session"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let key = Authentication.key(of: request), let tenant = await service.tenant(forKey: key) else {
            throw APIError.unauthorized
        }
        var context = context
        context.tenant = tenant
        return try await next(request, context)
    }

    static func key(of request: Request) -> String? {
        if let header = request.headers[.authorization] { return key(authorization: header) }
        return request.cookies[cookieName]?.value
    }

    /// The key of an `Authorization: Bearer <key>` header; nil for any other.
    static func key(authorization header: String?) -> String? {
        guard let header else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        // Trimmed without Foundation, whose trimming cost more than the key
        // cache lookup after it on every API request.
        var key = parts[1]
        while key.first?.isWhitespace == true { key.removeFirst() }
        while key.last?.isWhitespace == true { key.removeLast() }
        return key.isEmpty ? nil : String(key)
    }
}
