import CRMCore
import CRMSessions
import Foundation
import Hummingbird

/// `/api/instances`: the lifecycle of a company's numbers and their pairing QR.
struct InstanceRoutes {
    let service: any InboxService
    static let connectors: Set<String> = ["sim", "cloud", "evolution"]

    func register(on group: RouterGroup<APIRequestContext>) {
        group.post("instances") { request, context in
            let body = try await JSONBody.read(request, context: context)
            let name = try body.text("name", limit: 100)
            let connector = try body.optionalString("connector") ?? "sim"
            guard InstanceRoutes.connectors.contains(connector) else {
                throw APIError.badRequest("connector must be one of sim, cloud, evolution", code: "invalid_field")
            }
            let config = try body.optionalObject("config") ?? [:]
            let created = try await service.createInstance(NewInstance(name: name, connector: connector, config: config),
                                                           for: context.requireTenant())
            return try Response.json(created, status: .created)
        }
        group.get("instances") { _, context in
            try Response.json(PageJSON(items: try await service.instances(for: context.requireTenant()), next_cursor: nil))
        }
        group.get("instances/:id") { _, context in
            try Response.json(try await service.instance(try InstanceRoutes.id(context), for: context.requireTenant()))
        }
        group.patch("instances/:id") { request, context in
            let id = try InstanceRoutes.id(context)
            let body = try await JSONBody.read(request, context: context)
            let name = try body.text("name", limit: 100)
            return try Response.json(try await service.renameInstance(id, to: name, for: context.requireTenant()))
        }
        group.delete("instances/:id") { _, context in
            try await service.deleteInstance(try InstanceRoutes.id(context), for: context.requireTenant())
            return Response(status: .noContent)
        }
        group.post("instances/:id/connect") { _, context in
            try Response.json(try await service.connect(try InstanceRoutes.id(context), for: context.requireTenant()))
        }
        group.post("instances/:id/logout") { _, context in
            try Response.json(try await service.logout(try InstanceRoutes.id(context), for: context.requireTenant()))
        }
        group.post("instances/:id/restart") { _, context in
            try Response.json(try await service.restart(try InstanceRoutes.id(context), for: context.requireTenant()))
        }
        group.get("instances/:id/qr") { request, context in
            let code = try await service.pairingCode(try InstanceRoutes.id(context), for: context.requireTenant())
            return try InstanceRoutes.qrResponse(code, format: request.uri.queryParameters["format"].map(String.init) ?? "png")
        }
    }

    /// Instance ids are UUIDs; anything else cannot exist.
    static func id(_ context: APIRequestContext) throws -> String {
        guard let id = context.parameters.get("id").flatMap(InstanceIDText.normalized) else {
            throw APIError.badRequest("instance id must be a UUID", code: "invalid_id")
        }
        return id
    }

    static func qrResponse(_ code: String, format: String) throws -> Response {
        let qr: QRCode
        do { qr = try QRCode(encoding: code) } catch {
            throw APIError(.internalServerError, code: "internal", message: "cannot draw the QR code")
        }
        var headers = HTTPFields()
        headers[.cacheControl] = "no-store"
        let bytes: [UInt8]
        switch format {
        case "png":
            headers[.contentType] = "image/png"
            bytes = qr.png()
        case "svg":
            headers[.contentType] = "image/svg+xml"
            bytes = Array(qr.svg().utf8)
        case "text":
            headers[.contentType] = "text/plain; charset=utf-8"
            bytes = Array(qr.terminalText().utf8)
        default:
            throw APIError.badRequest("format must be png, svg or text", code: "invalid_field")
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
