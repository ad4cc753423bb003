import CRMCore
import CRMSessions
import Foundation
import Hummingbird
import Logging

/// `/webhooks/cloud/:instance_id`: Meta's verification handshake (GET) and its
/// signed event deliveries (POST), checked before anything is parsed. Most
/// POSTs never reach this router: `CloudWebhookFastPath` answers them on the
/// connection itself, and passes here only those it cannot answer in order.
struct CloudWebhookRoutes {
    let service: any InboxService

    func register(on router: Router<APIRequestContext>) {
        router.get("webhooks/cloud/:id") { request, context in
            let query = request.uri.queryParameters
            guard let configuration = await service.cloudConfiguration(instanceID: try CloudWebhookRoutes.id(context)),
                  query["hub.mode"] == "subscribe",
                  let token = query["hub.verify_token"], String(token) == configuration.verifyToken,
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
        guard let raw = context.parameters.get("id"), InstanceIDText.isWellFormed(raw) else { throw APIError.notFound("instance") }
        return raw.lowercased()
    }
}
