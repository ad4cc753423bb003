/// The JSON Meta posts to a webhook, as far as crm-host reads it. Every field
/// is optional except ids: Meta adds fields over time and omits many.
struct CloudWebhookPayload: Decodable {
    var object: String?
    var entry: [Entry]

    struct Entry: Decodable {
        var id: String?
        var changes: [Change]
    }

    struct Change: Decodable {
        var field: String?
        var value: Value
    }

    struct Value: Decodable {
        var metadata: Metadata?
        var contacts: [Contact]?
        var messages: [Message]?
        var statuses: [Status]?
        var errors: [ErrorDetail]?
    }

    struct Metadata: Decodable {
        var display_phone_number: String?
        var phone_number_id: String?
    }

    struct Contact: Decodable {
        var profile: Profile?
        var wa_id: String?
        var user_id: String?
    }

    struct Profile: Decodable {
        var name: String?
        var username: String?
    }

    struct Message: Decodable {
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
    }

    struct Text: Decodable { var body: String }

    struct MediaPart: Decodable {
        var id: String?
        var mime_type: String?
        var caption: String?
        var filename: String?
        var link: String?
    }

    struct Location: Decodable {
        var latitude: Double?
        var longitude: Double?
        var name: String?
        var address: String?
    }

    struct SharedContact: Decodable {
        struct Name: Decodable { var formatted_name: String? }
        struct Phone: Decodable { var phone: String?; var wa_id: String? }
        var name: Name?
        var phones: [Phone]?
    }

    struct Interactive: Decodable {
        struct Reply: Decodable { var id: String?; var title: String?; var description: String? }
        var type: String?
        var button_reply: Reply?
        var list_reply: Reply?
    }

    struct Button: Decodable {
        var payload: String?
        var text: String?
    }

    struct Reaction: Decodable {
        var message_id: String?
        var emoji: String?
    }

    struct Context: Decodable {
        var from: String?
        var id: String?
    }

    struct System: Decodable {
        var body: String?
        var type: String?
        var wa_id: String?
        var new_wa_id: String?
        var user_id: String?
        var new_user_id: String?
    }

    struct Status: Decodable {
        var id: String
        var status: String
        var timestamp: String?
        var recipient_id: String?
        var recipient_user_id: String?
        var errors: [ErrorDetail]?
    }

    struct ErrorDetail: Decodable {
        struct Data: Decodable { var details: String? }
        var code: Int?
        var title: String?
        var message: String?
        var error_data: Data?

        var summary: String {
            let text = error_data?.details ?? message ?? title ?? "unknown error"
            return code.map { "\($0): \(text)" } ?? text
        }
    }
}
