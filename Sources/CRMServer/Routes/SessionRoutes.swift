import Hummingbird

/// `POST /api/session`: the web inbox trades its key for an HttpOnly cookie,
/// because EventSource cannot send an Authorization header.
struct SessionRoutes {
    let service: any InboxService

    func register(on router: Router<APIRequestContext>) {
        router.post("api/session") { request, context in
            let body = try await JSONBody.read(request, context: context)
            let key = try body.string("key")
            guard await service.tenant(forKey: key) != nil else { throw APIError.unauthorized }
            var response = try Response.json(["ok": true])
            response.setCookie(Cookie(name: Authentication.cookieName, value: key, path: "/", secure: false,
                                      httpOnly: true, sameSite: .strict))
            return response
        }
        router.delete("api/session") { _, _ in
            var response = Response(status: .noContent)
            response.setCookie(Cookie(name: Authentication.cookieName, value: "", maxAge: 0, path: "/",
                                      httpOnly: true, sameSite: .strict))
            return response
        }
    }
}
