import CRMServer
import Foundation
import XCTest

/// Who may reach what on a listener: `/metrics` only the operator, `/sim`
/// only where it is served, and the inbox's cookie a revocable session
/// token, never the API key.
final class ListenerAccessTests: XCTestCase {
    var host: ListenerTestHost!
    let key = ListenerTestHost.key

    override func setUp() async throws {
        host = try await ListenerTestHost.start()
    }

    override func tearDown() async throws {
        await host.stop()
    }

    func test_metricsAnswerOnlyTheOperator() async throws {
        let port = try await host.listen(ListenerOptions(metricsToken: "scrape-token"))
        let tenantKey = try Daemon.createKey(company: "acme", name: "k", dataDirectory: host.folder.appendingPathComponent("data"))
        let anonymous = try await host.request(.GET, "/metrics", port: port)
        XCTAssertEqual(anonymous.status, 401)
        XCTAssertFalse(anonymous.text.contains("crm_"))
        let tenant = try await host.request(.GET, "/metrics", port: port, headers: [("Authorization", "Bearer \(tenantKey)")])
        XCTAssertEqual(tenant.status, 401, "another company's key read every tenant's metrics")
        let wrong = try await host.request(.GET, "/metrics", port: port, headers: [("Authorization", "Bearer scrape-tokeN")])
        XCTAssertEqual(wrong.status, 401)
        for credential in [key, "scrape-token"] {
            let answer = try await host.request(.GET, "/metrics", port: port, headers: [("Authorization", "Bearer \(credential)")])
            XCTAssertEqual(answer.status, 200)
            XCTAssertTrue(answer.text.contains("crm_pipeline_batches_total"))
        }
    }

    func test_simIsServedOnlyOnTheListenersAskedTo() async throws {
        let local = try await host.listen(ListenerOptions(servesSimulator: true))
        let exposed = try await host.listen(ListenerOptions(servesSimulator: false))
        let served = try await host.request(.GET, "/sim/messages?phone=5511911112222", port: local)
        XCTAssertEqual(served.status, 200)
        let refused = try await host.request(.GET, "/sim/messages?phone=5511911112222", port: exposed)
        XCTAssertEqual(refused.status, 404)
        let write = try await host.request(.POST, "/sim/messages", port: exposed,
                                           body: #"{"to": "5511977770000", "from": "5511911112222", "text": "oi"}"#)
        XCTAssertEqual(write.status, 404)
    }

    func test_onlyLoopbackAddressesAreLoopbackListeners() {
        for address in ["127.0.0.1", "127.0.0.2", "localhost", "::1", "[::1]"] {
            XCTAssertTrue(ListenerOptions.isLoopback(address), address)
        }
        for address in ["0.0.0.0", "::", "[::]", "192.168.0.10", "example.com", "128.0.0.1"] {
            XCTAssertFalse(ListenerOptions.isLoopback(address), address)
        }
    }

    /// The session's cookie: its value.
    func signIn(port: Int, headers: [(String, String)] = []) async throws -> (token: String, cookie: String) {
        let answer = try await host.request(.POST, "/api/session", port: port, headers: headers, body: #"{"key": "\#(key)"}"#)
        XCTAssertEqual(answer.status, 200)
        let cookie = try XCTUnwrap(answer.headers["Set-Cookie"].first)
        let pair = try XCTUnwrap(cookie.split(separator: ";").first)
        XCTAssertTrue(pair.hasPrefix("crm_session="))
        return (String(pair.dropFirst("crm_session=".count)), cookie)
    }

    func test_theSessionCookieIsARevocableTokenAndNotTheKey() async throws {
        let port = try await host.listen()
        let (token, cookie) = try await signIn(port: port)
        XCTAssertNotEqual(token, key)
        XCTAssertFalse(cookie.contains(key))
        XCTAssertGreaterThanOrEqual(token.count, 40)
        XCTAssertTrue(cookie.contains("HttpOnly"))
        XCTAssertTrue(cookie.contains("SameSite=Strict"))
        XCTAssertFalse(cookie.contains("Secure"), "a cookie over plain http must still be sent back")

        let withCookie = [("Cookie", "crm_session=\(token)")]
        let signedIn = try await host.request(.GET, "/api/instances", port: port, headers: withCookie)
        XCTAssertEqual(signedIn.status, 200)
        let withKey = try await host.request(.GET, "/api/instances", port: port, headers: [("Cookie", "crm_session=\(key)")])
        XCTAssertEqual(withKey.status, 401, "the key itself still works as a cookie")

        let signOut = try await host.request(.DELETE, "/api/session", port: port, headers: withCookie)
        XCTAssertEqual(signOut.status, 204)
        let revoked = try await host.request(.GET, "/api/instances", port: port, headers: withCookie)
        XCTAssertEqual(revoked.status, 401, "signing out left the session open")
    }

    func test_theCookieIsSecureWhenTheBrowserCameOverHTTPS() async throws {
        let proxied = try await host.listen()
        let (_, forwarded) = try await signIn(port: proxied, headers: [("X-Forwarded-Proto", "https")])
        XCTAssertTrue(forwarded.contains("Secure"))
        let public_ = try await host.listen(ListenerOptions(secureCookies: true))
        let (_, configured) = try await signIn(port: public_)
        XCTAssertTrue(configured.contains("Secure"))
    }

    func test_aCookieRequestFromAnotherOriginThatChangesStateIsRefused() async throws {
        let port = try await host.listen()
        let (token, _) = try await signIn(port: port)
        let body = #"{"name": "Vendas", "connector": "sim"}"#
        let foreign = try await host.request(.POST, "/api/instances", port: port,
                                             headers: [("Cookie", "crm_session=\(token)"), ("Origin", "http://evil.example")],
                                             body: body)
        XCTAssertEqual(foreign.status, 403)
        let own = try await host.request(.POST, "/api/instances", port: port,
                                         headers: [("Cookie", "crm_session=\(token)"), ("Origin", "http://127.0.0.1:\(port)")],
                                         body: body)
        XCTAssertEqual(own.status, 201)
    }
}
