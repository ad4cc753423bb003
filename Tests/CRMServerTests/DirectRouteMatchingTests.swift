@testable import CRMServer
import HTTPTypes
import XCTest

/// Which requests the direct routes take from the router.
final class DirectRouteMatchingTests: XCTestCase {
    let id = "3f2a8c1e-9b7d-4e2f-8a6b-1c2d3e4f5a6b"

    func head(_ method: HTTPRequest.Method, _ path: String, authorization: String? = nil) -> HTTPRequest {
        var head = HTTPRequest(method: method, scheme: "http", authority: "127.0.0.1", path: path)
        if let authorization { head.headerFields[.authorization] = authorization }
        return head
    }

    func test_webhookPathsGiveTheirInstanceInLowercase() {
        XCTAssertEqual(CloudWebhookDirectRoute.instanceID(head(.post, "/webhooks/cloud/\(id)")), id)
        XCTAssertEqual(CloudWebhookDirectRoute.instanceID(head(.post, "/webhooks/cloud/\(id.uppercased())?x=1")), id)
        XCTAssertNil(CloudWebhookDirectRoute.instanceID(head(.post, "/webhooks/cloud/\(id)/")))
        XCTAssertNil(CloudWebhookDirectRoute.instanceID(head(.post, "/webhooks/cloud/\(id.dropLast())")))
        XCTAssertNil(CloudWebhookDirectRoute.instanceID(head(.post, "/webhooks/cloud/")))
        XCTAssertNil(CloudWebhookDirectRoute.instanceID(head(.post, "/webhooks/sim/\(id)")))
    }

    func test_onlyTheBearerInboxListIsTaken() {
        XCTAssertTrue(InboxDirectRoute.isBearerInboxList(head(.get, "/api/conversations", authorization: "Bearer k")))
        XCTAssertTrue(InboxDirectRoute.isBearerInboxList(head(.get, "/api/conversations?limit=5", authorization: "Bearer k")))
        XCTAssertFalse(InboxDirectRoute.isBearerInboxList(head(.get, "/api/conversations")), "cookie sessions stay with the router")
        XCTAssertFalse(InboxDirectRoute.isBearerInboxList(head(.post, "/api/conversations", authorization: "Bearer k")))
        XCTAssertFalse(InboxDirectRoute.isBearerInboxList(head(.get, "/api/conversations/7/messages", authorization: "Bearer k")))
        XCTAssertFalse(InboxDirectRoute.isBearerInboxList(head(.get, "/api/conversationsX", authorization: "Bearer k")))
    }
}
