import CRMCore
import Hummingbird

/// `/sim`: the simulated network's outside world (SPEC §12), without auth.
struct SimRoutes {
    let simulator: any SimulatorService

    func register(on router: Router<APIRequestContext>) {
        let group = router.group("sim")
        group.post("scan") { request, context in
            let body = try await JSONBody.read(request, context: context)
            let qr = try body.string("qr")
            let phone = PhoneNumber.digits(try body.string("phone"))
            guard phone.count >= 8, phone.count <= 15 else {
                throw APIError.badRequest("phone must have 8 to 15 digits", code: "invalid_field")
            }
            let instanceID = try await simulator.scan(qr: qr, phone: phone)
            return try Response.json(["instance_id": instanceID])
        }
        group.post("messages") { request, context in
            let body = try await JSONBody.read(request, context: context)
            let to = PhoneNumber.digits(try body.string("to"))
            let from = PhoneNumber.digits(try body.string("from"))
            guard !to.isEmpty, !from.isEmpty else {
                throw APIError.badRequest("to and from must be phone numbers", code: "invalid_field")
            }
            let text = try body.text("text", limit: ConversationRoutes.textLimit)
            var group: GroupRef?
            if let object = try body.optionalObject("group") {
                guard case .string(let id)? = object["id"], !id.isEmpty else {
                    throw APIError.badRequest("group.id must be a non-empty string", code: "invalid_field")
                }
                group = GroupRef(id: id, name: object["name"]?.stringValue)
            }
            let id = try await simulator.contactWrites(to: to, from: from, name: try body.optionalString("name"),
                                                       text: text, id: try body.optionalString("id"), group: group)
            return try Response.json(["id": id], status: .accepted)
        }
        group.get("messages") { request, _ in
            guard let phone = request.uri.queryParameters["phone"].map(String.init).map(PhoneNumber.digits), !phone.isEmpty else {
                throw APIError.badRequest("query parameter phone is required", code: "missing_field")
            }
            return try Response.json(await simulator.delivered(to: phone))
        }
    }
}
