import CRMCore
import CRMSessions
import Foundation
import Hummingbird
import Logging

/// `/webhooks/cloud/:instance_id`: Meta's verification handshake (GET) and its
/// signed event deliveries (POST), checked before anything is parsed.
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
            guard let configuration = await service.cloudConfiguration(instanceID: instanceID) else {
                throw APIError.notFound("cloud instance")
            }
            let body = try await JSONBody.bytes(of: request)
            guard CloudSignature.isValid(body: body, header: request.headers[.init("X-Hub-Signature-256")!],
                                         appSecret: configuration.appSecret) else {
                throw APIError(.unauthorized, code: "bad_signature", message: "X-Hub-Signature-256 is missing or wrong")
            }
            let parsed: CloudWebhook.Parsed
            do {
                parsed = try CloudWebhook.parse(body, instanceID: instanceID, phoneNumberID: configuration.phoneNumberID)
            } catch {
                throw APIError.badRequest("webhook body is not a WhatsApp Business Account payload", code: "invalid_json")
            }
            if parsed.foreignChanges > 0 {
                context.logger.warning("ignored webhook changes for another phone number id",
                                       metadata: ["instance": .string(instanceID), "changes": .stringConvertible(parsed.foreignChanges)])
            }
            try await service.cloudEvents(parsed.events, instanceID: instanceID)
            return Response(status: .ok)
        }
    }

    static func id(_ context: APIRequestContext) throws -> String {
        guard let raw = context.parameters.get("id"), InstanceIDText.isWellFormed(raw) else { throw APIError.notFound("instance") }
        return raw.lowercased()
    }
}
