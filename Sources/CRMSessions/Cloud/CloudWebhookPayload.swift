/// The JSON Meta posts to a webhook, as far as crm-host reads it. Every field
/// is optional except ids: Meta adds fields over time and omits many. Read
/// field by field from the checked text (`JSONDocument`) rather than through
/// `Decodable`, which cost more per webhook than storing its message.
struct CloudWebhookPayload {
    var object: String?
    var entry: [Entry]

    init(_ json: PayloadObject) throws(PayloadObject.Malformed) {
        object = try json.string("object")
        entry = try json.array(required: "entry", Entry.init)
    }

    struct Entry {
        var id: String?
        var changes: [Change]

        init(_ json: PayloadObject) throws(PayloadObject.Malformed) {
            id = try json.string("id")
            changes = try json.array(required: "changes", Change.init)
        }
    }

    struct Change {
        var field: String?
        var value: Value

        init(_ json: PayloadObject) throws(PayloadObject.Malformed) {
            field = try json.string("field")
            value = try json.object(required: "value", Value.init)
        }
    }

    struct Value {
        var metadata: Metadata?
        var contacts: [Contact]?
        var messages: [Message]?
        var statuses: [Status]?
        var errors: [ErrorDetail]?

        init(_ json: PayloadObject) throws(PayloadObject.Malformed) {
            metadata = try json.object("metadata", Metadata.init)
            contacts = try json.array("contacts", Contact.init)
            messages = try json.array("messages", Message.init)
            statuses = try json.array("statuses", Status.init)
            errors = try json.array("errors", ErrorDetail.init)
        }
    }

    struct Metadata {
        var display_phone_number: String?
        var phone_number_id: String?

        init(_ json: PayloadObject) throws(PayloadObject.Malformed) {
            display_phone_number = try json.string("display_phone_number")
            phone_number_id = try json.string("phone_number_id")
        }
    }

    struct Contact {
        var profile: Profile?
        var wa_id: String?
        var user_id: String?

        init(_ json: PayloadObject) throws(PayloadObject.Malformed) {
            profile = try json.object("profile", Profile.init)
            wa_id = try json.string("wa_id")
            user_id = try json.string("user_id")
        }
    }

    struct Profile {
        var name: String?
        var username: String?

        init(_ json: PayloadObject) throws(PayloadObject.Malformed) {
            name = try json.string("name")
            username = try json.string("username")
        }
    }

    struct Message {
        var from: String?
        var from_user_id: String?
        var id: String
        var timestamp: String?
        var type: String?
        var text: Text?
        var image: MediaPart?
        var audio: MediaPart?
        var video: MediaPart?
        var document: MediaPart?
        var sticker: MediaPart?
        var location: Location?
        var contacts: [SharedContact]?
        var interactive: Interactive?
        var button: Button?
        var reaction: Reaction?
        var context: Context?
        var system: System?

        init(_ json: PayloadObject) throws(PayloadObject.Malformed) {
            from = try json.string("from")
            from_user_id = try json.string("from_user_id")
            id = try json.string(required: "id")
            timestamp = try json.string("timestamp")
            type = try json.string("type")
            text = try json.object("text", Text.init)
            image = try json.object("image", MediaPart.init)
            audio = try json.object("audio", MediaPart.init)
            video = try json.object("video", MediaPart.init)
            document = try json.object("document", MediaPart.init)
            sticker = try json.object("sticker", MediaPart.init)
            location = try json.object("location", Location.init)
            contacts = try json.array("contacts", SharedContact.init)
            interactive = try json.object("interactive", Interactive.init)
            button = try json.object("button", Button.init)
            reaction = try json.object("reaction", Reaction.init)
            context = try json.object("context", Context.init)
            system = try json.object("system", System.init)
        }
    }

    struct Text {
        var body: String

        init(_ json: PayloadObject) throws(PayloadObject.Malformed) { body = try json.string(required: "body") }
    }

    struct MediaPart {
        var id: String?
        var mime_type: String?
        var caption: String?
        var filename: String?
        var link: String?

        init(_ json: PayloadObject) throws(PayloadObject.Malformed) {
            id = try json.string("id")
            mime_type = try json.string("mime_type")
            caption = try json.string("caption")
            filename = try json.string("filename")
            link = try json.string("link")
        }
    }

    struct Location {
        var latitude: Double?
        var longitude: Double?
        var name: String?
        var address: String?

        init(_ json: PayloadObject) throws(PayloadObject.Malformed) {
            latitude = try json.double("latitude")
            longitude = try json.double("longitude")
            name = try json.string("name")
            address = try json.string("address")
        }
    }

    struct SharedContact {
        struct Name {
            var formatted_name: String?
            init(_ json: PayloadObject) throws(PayloadObject.Malformed) { formatted_name = try json.string("formatted_name") }
        }
        struct Phone {
            var phone: String?
            var wa_id: String?
            init(_ json: PayloadObject) throws(PayloadObject.Malformed) {
                phone = try json.string("phone")
                wa_id = try json.string("wa_id")
            }
        }
        var name: Name?
        var phones: [Phone]?

        init(_ json: PayloadObject) throws(PayloadObject.Malformed) {
            name = try json.object("name", Name.init)
            phones = try json.array("phones", Phone.init)
        }
    }

    struct Interactive {
        struct Reply {
            var id: String?
            var title: String?
            var description: String?
            init(_ json: PayloadObject) throws(PayloadObject.Malformed) {
                id = try json.string("id")
                title = try json.string("title")
                description = try json.string("description")
            }
        }
        var type: String?
        var button_reply: Reply?
        var list_reply: Reply?

        init(_ json: PayloadObject) throws(PayloadObject.Malformed) {
            type = try json.string("type")
            button_reply = try json.object("button_reply", Reply.init)
            list_reply = try json.object("list_reply", Reply.init)
        }
    }

    struct Button {
        var payload: String?
        var text: String?

        init(_ json: PayloadObject) throws(PayloadObject.Malformed) {
            payload = try json.string("payload")
            text = try json.string("text")
        }
    }

    struct Reaction {
        var message_id: String?
        var emoji: String?

        init(_ json: PayloadObject) throws(PayloadObject.Malformed) {
            message_id = try json.string("message_id")
            emoji = try json.string("emoji")
        }
    }

    struct Context {
        var from: String?
        var id: String?

        init(_ json: PayloadObject) throws(PayloadObject.Malformed) {
            from = try json.string("from")
            id = try json.string("id")
        }
    }

    struct System {
        var body: String?
        var type: String?
        var wa_id: String?
        var new_wa_id: String?
        var user_id: String?
        var new_user_id: String?

        init(_ json: PayloadObject) throws(PayloadObject.Malformed) {
            body = try json.string("body")
            type = try json.string("type")
            wa_id = try json.string("wa_id")
            new_wa_id = try json.string("new_wa_id")
            user_id = try json.string("user_id")
            new_user_id = try json.string("new_user_id")
        }
    }

    struct Status {
        var id: String
        var status: String
        var timestamp: String?
        var recipient_id: String?
        var recipient_user_id: String?
        var errors: [ErrorDetail]?

        init(_ json: PayloadObject) throws(PayloadObject.Malformed) {
            id = try json.string(required: "id")
            status = try json.string(required: "status")
            timestamp = try json.string("timestamp")
            recipient_id = try json.string("recipient_id")
            recipient_user_id = try json.string("recipient_user_id")
            errors = try json.array("errors", ErrorDetail.init)
        }
    }

    struct ErrorDetail {
        struct Data {
            var details: String?
            init(_ json: PayloadObject) throws(PayloadObject.Malformed) { details = try json.string("details") }
        }
        var code: Int?
        var title: String?
        var message: String?
        var error_data: Data?

        init(_ json: PayloadObject) throws(PayloadObject.Malformed) {
            code = try json.integer("code")
            title = try json.string("title")
            message = try json.string("message")
            error_data = try json.object("error_data", Data.init)
        }

        var summary: String {
            let text = error_data?.details ?? message ?? title ?? "unknown error"
            return code.map { "\($0): \(text)" } ?? text
        }
    }
}
