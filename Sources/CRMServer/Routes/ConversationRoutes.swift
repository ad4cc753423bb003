import Foundation
import CRMCore
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging

/// `/api/conversations`: the unified inbox across a company's numbers, and
/// sending through the number that owns a conversation.
struct ConversationRoutes {
    let service: any InboxService
    /// WhatsApp's own cap on a text message.
    static let textLimit = 4_096

    func register(on group: RouterGroup<APIRequestContext>) {
        group.get("conversations") { request, context in
            let filters = try ConversationRoutes.inboxQuery(request.uri.queryParameters)
            return try Response.json(try await service.conversations(filters, for: context.requireTenant()))
        }
        group.get("conversations/:id/messages") { request, context in
            let query = request.uri.queryParameters
            let page = try await service.messages(in: try ConversationRoutes.id(context),
                                                  cursor: query["cursor"].map(String.init),
                                                  limit: try ConversationRoutes.limit(query["limit"].map(String.init)),
                                                  for: context.requireTenant())
            return try Response.json(page)
        }
        group.post("conversations/:id/messages") { request, context in
            let id = try ConversationRoutes.id(context)
            let body = try await JSONBody.read(request, context: context)
            let text = try body.text("text", limit: ConversationRoutes.textLimit)
            let replyTo = try body.optionalString("reply_to")
            let sent = try await service.send(OutgoingContent(text: text, replyTo: replyTo), to: id, for: context.requireTenant())
            return try Response.json(sent, status: .accepted)
        }
    }

    /// The inbox list's filters, page and size from its query string.
    static func inboxQuery(_ query: Parameters) throws -> ConversationQuery {
        var instanceID: String?
        if let raw = query["instance_id"] {
            guard let id = InstanceIDText.normalized(raw) else {
                throw APIError.badRequest("instance_id must be a UUID", code: "invalid_id")
            }
            instanceID = id
        }
        return ConversationQuery(
            instanceID: instanceID,
            tag: query["tag"].map(String.init),
            assignee: query["assignee"].map(String.init),
            text: query["q"].map(String.init),
            cursor: query["cursor"].map(String.init),
            limit: try limit(query["limit"].map(String.init)))
    }

    static func id(_ context: APIRequestContext) throws -> Int64 {
        guard let raw = context.parameters.get("id"), let id = Int64(raw), id > 0 else {
            throw APIError.badRequest("conversation id must be a positive integer", code: "invalid_id")
        }
        return id
    }

    static func limit(_ raw: String?) throws -> Int {
        guard let raw else { return 50 }
        guard let limit = Int(raw), (1...200).contains(limit) else {
            throw APIError.badRequest("limit must be an integer from 1 to 200", code: "invalid_field")
        }
        return limit
    }
}

/// `GET /api/conversations` with a bearer key, as `DirectPath` answers it;
/// the inbox's own requests (a session cookie) go through the router.
struct InboxDirectRoute: DirectRoute {
    let service: any InboxService
    let logger: Logger

    func accepts(_ head: HTTPRequest) -> Bool { Self.isBearerInboxList(head) }

    /// `GET /api/conversations`, with a query or none, and an `Authorization` header.
    static func isBearerInboxList(_ head: HTTPRequest) -> Bool {
        guard head.method == .get, let path = head.path?.utf8, path.starts(with: Self.path.utf8),
              head.headerFields[.authorization] != nil else { return false }
        let rest = path.dropFirst(Self.path.utf8.count)
        return rest.isEmpty || rest.first == UInt8(ascii: "?")
    }

    private static let path = "/api/conversations"

    func answer(_ head: HTTPRequest, body: ByteBuffer, completion: @escaping @Sendable (DirectAnswer) -> Void) {
        DirectAnswer.inTask(logger: logger, completion: completion) { [service] in
            guard let key = Authentication.key(authorization: head.headerFields[.authorization]),
                  let tenant = await service.tenant(forKey: key) else { throw APIError.unauthorized }
            let filters = try ConversationRoutes.inboxQuery(URI(head.path ?? "").queryParameters)
            return DirectAnswer(status: .ok, json: Response.jsonBuffer(try await service.conversations(filters, for: tenant)))
        }
    }
}
