import HTTPTypes
import Hummingbird

/// Resolves `Authorization: Bearer <key>`, or the inbox's session cookie
/// (EventSource cannot send headers; `WebSessions`), to a tenant; anything
/// else answers 401. A request that changes state with the cookie must come
/// from the inbox's own origin (SPEC §8), or it answers 403.
struct Authentication: RouterMiddleware {
    typealias Context = APIRequestContext
    let service: any InboxService
    let sessions: WebSessions
    static let cookieName = "crm_session"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let key: String?
        if let header = request.headers[.authorization] {
            key = Authentication.key(authorization: header)
        } else if let token = request.cookies[Authentication.cookieName]?.value {
            guard Authentication.isSafe(request.method) || Authentication.isSameOrigin(request) else {
                throw APIError(.forbidden, code: "cross_origin",
                               message: "a request that changes state with the session cookie must come from the inbox's origin")
            }
            key = sessions.key(forToken: token)
        } else {
            key = nil
        }
        guard let key, let tenant = await service.tenant(forKey: key) else { throw APIError.unauthorized }
        var context = context
        context.tenant = tenant
        return try await next(request, context)
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

    private static func isSafe(_ method: HTTPRequest.Method) -> Bool {
        method == .get || method == .head || method == .options
    }

    /// Browsers send `Origin` with every request that changes state; its
    /// host must be the one the request was sent to. `Sec-Fetch-Site` says
    /// the same where `Origin` is absent; a request with neither came from
    /// no browser page.
    static func isSameOrigin(_ request: Request) -> Bool {
        if let origin = request.headers[.origin] {
            guard let host = request.head.authority,
                  let separator = origin.range(of: "://") else { return false }
            return origin[separator.upperBound...].lowercased() == host.lowercased()
        }
        if let site = request.headers[HTTPField.Name("Sec-Fetch-Site")!] { return site == "same-origin" }
        return true
    }
}
