import Foundation
import HTTPTypes
import Hummingbird

/// `POST /api/session`: the web inbox trades its key for a session cookie
/// (`WebSessions`), because EventSource cannot send an Authorization header;
/// `DELETE /api/session` revokes it.
struct SessionRoutes {
    let service: any InboxService
    let sessions: WebSessions
    /// The public URL is https: every cookie is `Secure`.
    let secureCookies: Bool

    func register(on router: Router<APIRequestContext>) {
        router.post("api/session") { request, context in
            let body = try await JSONBody.read(request, context: context)
            let key = try body.string("key")
            guard await service.tenant(forKey: key) != nil else { throw APIError.unauthorized }
            var response = try Response.json(["ok": true])
            response.setCookie(cookie(sessions.open(key: key), maxAge: Int(WebSessions.lifetime.components.seconds),
                                      request: request))
            return response
        }
        router.delete("api/session") { request, _ in
            if let token = request.cookies[Authentication.cookieName]?.value { sessions.close(token: token) }
            var response = Response(status: .noContent)
            response.setCookie(cookie("", maxAge: 0, request: request))
            return response
        }
    }

    /// `HttpOnly` and `SameSite=Strict` always; `Secure` when the browser
    /// reached the host over https: a https public URL, or a proxy's
    /// `X-Forwarded-Proto`. The header needs no trusted proxy: believing it
    /// can only add `Secure`, which costs a client that lies its own session.
    private func cookie(_ value: String, maxAge: Int, request: Request) -> Cookie {
        let forwarded = request.headers[HTTPField.Name("X-Forwarded-Proto")!]?.lowercased()
        let secure = secureCookies || forwarded?.split(separator: ",").first?.trimmingCharacters(in: .whitespaces) == "https"
        return Cookie(name: Authentication.cookieName, value: value, maxAge: maxAge, path: "/", secure: secure,
                      httpOnly: true, sameSite: .strict)
    }
}
