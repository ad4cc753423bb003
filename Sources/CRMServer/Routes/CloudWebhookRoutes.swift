import CRMCore
import CRMSessions
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// `/webhooks/cloud/:instance_id`: Meta's verification handshake (GET) and its
/// signed event deliveries (POST), checked before anything is parsed. Most
/// POSTs never reach the router: `WebhookFront` answers them from the
/// connection's bytes; of those it hands to NIO's decoder, `DirectPath`
/// answers the ones it can answer in order (`CloudWebhookDirectRoute`) and
/// passes the rest on.
struct CloudWebhookRoutes {
    let service: any InboxService

    func register(on router: Router<APIRequestContext>) {
        router.get("webhooks/cloud/:id") { request, context in
            let query = request.uri.queryParameters
            guard let configuration = service.cloudConfiguration(instanceID: try CloudWebhookRoutes.id(context)),
                  query["hub.mode"] == "subscribe",
                  let token = query["hub.verify_token"], configuration.acceptsVerifyToken(token),
                  let challenge = query["hub.challenge"] else {
                throw APIError(.forbidden, code: "forbidden", message: "webhook verification failed")
            }
            return Response(status: .ok, headers: [.contentType: "text/plain"],
                            body: .init(byteBuffer: ByteBuffer(string: String(challenge))))
        }
        router.post("webhooks/cloud/:id") { request, context in
            let instanceID = try CloudWebhookRoutes.id(context)
            let body = try await JSONBody.bytes(of: request)
            try await CloudWebhookDelivery(service: service)
                .receive(instanceID: instanceID, body: body, signature: request.headers[CloudWebhookDelivery.signatureHeader],
                         logger: context.logger)
            return Response(status: .ok)
        }
    }

    static func id(_ context: APIRequestContext) throws -> String {
        guard let id = context.parameters.get("id").flatMap(InstanceIDText.normalized) else { throw APIError.notFound("instance") }
        return id
    }
}

/// The signed POST as `DirectPath` answers it, with the same delivery.
struct CloudWebhookDirectRoute: DirectRoute {
    let delivery: CloudWebhookDelivery
    let logger: Logger

    func accepts(_ head: HTTPRequest) -> Bool {
        head.method == .post && Self.instanceID(head) != nil
    }

    /// Checks and parses on the event loop, where the body already is: a
    /// task per webhook and its hops through the concurrency pool cost more
    /// than the check itself.
    func answer(_ head: HTTPRequest, body: ByteBuffer, completion: @escaping @Sendable (DirectAnswer) -> Void) {
        guard let instanceID = Self.instanceID(head) else { return completion(DirectAnswer(APIError.notFound("instance"))) }
        delivery.receive(instanceID: instanceID, body: Array(body.readableBytesView),
                         signature: head.headerFields[CloudWebhookDelivery.signatureHeader], logger: logger) { refusal in
            completion(refusal.map(DirectAnswer.init) ?? .ok)
        }
    }

    /// `/webhooks/cloud/` and a well-formed instance id, nothing after it but
    /// a query; anything else is the router's. Read as bytes: `String`'s
    /// own prefix and slicing walk characters, which was 4 % of a loop's time.
    static func instanceID(_ head: HTTPRequest) -> String? {
        guard let path = head.path?.utf8, path.starts(with: prefix.utf8) else { return nil }
        let rest = path.dropFirst(prefix.utf8.count)
        return InstanceIDText.normalized(Substring(rest[..<(rest.firstIndex(of: UInt8(ascii: "?")) ?? rest.endIndex)]))
    }

    private static let prefix = "/webhooks/cloud/"
}
