import CRMCore
import CRMSessions
import HTTPTypes
import Logging

/// What one signed POST to `/webhooks/cloud/:instance_id` does, whichever
/// HTTP path it came in by (`WebhookFront`, `DirectPath` or the router): the
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
    ///   - completion: nil once the events are committed; otherwise an
    ///     `APIError`: 404 for an instance that is not a cloud one, 401 for a
    ///     missing or wrong signature, 400 for a body that is not a WhatsApp
    ///     Business Account payload, or the pipeline's refusal. Called on this
    ///     thread when the webhook is refused before the pipeline, else
    ///     possibly on the pipeline's writer thread.
    func receive(instanceID: String, body: [UInt8], signature: String?, logger: Logger,
                 completion: @escaping @Sendable (APIError?) -> Void) {
        guard let configuration = service.cloudConfiguration(instanceID: instanceID) else {
            return completion(APIError.notFound("cloud instance"))
        }
        guard CloudSignature.isValid(body: body, header: signature, appSecret: configuration.appSecret) else {
            return completion(APIError(.unauthorized, code: "bad_signature", message: "X-Hub-Signature-256 is missing or wrong"))
        }
        let parsed: CloudWebhook.Parsed
        do {
            parsed = try CloudWebhook.parse(body, instanceID: instanceID, phoneNumberID: configuration.phoneNumberID)
        } catch {
            return completion(APIError.badRequest("webhook body is not a WhatsApp Business Account payload",
                                                  code: "invalid_json"))
        }
        if parsed.foreignChanges > 0 {
            logger.warning("ignored webhook changes for another phone number id",
                           metadata: ["instance": .string(instanceID), "changes": .stringConvertible(parsed.foreignChanges)])
        }
        service.cloudEvents(parsed.events, instanceID: instanceID, completion: completion)
    }

    /// The same, for the router: returns once the events are committed.
    func receive(instanceID: String, body: [UInt8], signature: String?, logger: Logger) async throws(APIError) {
        let refusal = await withCheckedContinuation { continuation in
            receive(instanceID: instanceID, body: body, signature: signature, logger: logger) { continuation.resume(returning: $0) }
        }
        if let refusal { throw refusal }
    }
}
