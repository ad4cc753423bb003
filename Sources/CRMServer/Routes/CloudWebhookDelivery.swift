import CRMCore
import CRMSessions
import HTTPTypes
import Logging

/// What one signed POST to `/webhooks/cloud/:instance_id` does, whichever
/// HTTP path it came in by (the router, or `DirectPath`): the
/// signature checked before anything is parsed, the events handed to the
/// pipeline, and the answer due only once they are committed.
struct CloudWebhookDelivery {
    static let signatureHeader = HTTPField.Name("X-Hub-Signature-256")!
    let service: any InboxService

    /// - Parameters:
    ///   - instanceID: the path's id, already checked well-formed and lowercased.
    ///   - body: the raw body bytes, as signed.
    ///   - signature: the `X-Hub-Signature-256` header, if any.
    ///   - logger: where changes meant for another phone number id are noted.
    /// - Throws: `APIError`: 404 for an instance that is not a cloud one, 401
    ///   for a missing or wrong signature, 400 for a body that is not a
    ///   WhatsApp Business Account payload, or the pipeline's refusal.
    func receive(instanceID: String, body: [UInt8], signature: String?, logger: Logger) async throws {
        guard let configuration = await service.cloudConfiguration(instanceID: instanceID) else {
            throw APIError.notFound("cloud instance")
        }
        guard CloudSignature.isValid(body: body, header: signature, appSecret: configuration.appSecret) else {
            throw APIError(.unauthorized, code: "bad_signature", message: "X-Hub-Signature-256 is missing or wrong")
        }
        let parsed: CloudWebhook.Parsed
        do {
            parsed = try CloudWebhook.parse(body, instanceID: instanceID, phoneNumberID: configuration.phoneNumberID)
        } catch {
            throw APIError.badRequest("webhook body is not a WhatsApp Business Account payload", code: "invalid_json")
        }
        if parsed.foreignChanges > 0 {
            logger.warning("ignored webhook changes for another phone number id",
                           metadata: ["instance": .string(instanceID), "changes": .stringConvertible(parsed.foreignChanges)])
        }
        try await service.cloudEvents(parsed.events, instanceID: instanceID)
    }
}
