import CRMCore
import Foundation

/// The body of `POST /{version}/{phone-number-id}/messages` for one send.
enum CloudMessageRequest {
    static func body(for message: OutgoingMessage) -> [String: Any] {
        var body: [String: Any] = ["messaging_product": "whatsapp"]
        if message.isGroup {
            body["recipient_type"] = "group"
            body["to"] = message.to
        } else if message.toUserID {
            body["recipient_type"] = "individual"
            body["recipient"] = message.to
        } else {
            body["recipient_type"] = "individual"
            body["to"] = message.to
        }
        let content = message.content
        if let replyTo = content.replyTo { body["context"] = ["message_id": replyTo] }
        if let template = content.template {
            body["type"] = "template"
            var parts: [String: Any] = ["name": template.name, "language": ["code": template.language]]
            if !template.parameters.isEmpty {
                parts["components"] = [["type": "body",
                                        "parameters": template.parameters.map { ["type": "text", "text": $0] }]]
            }
            body["template"] = parts
        } else if let media = content.media {
            body["type"] = media.type
            var part: [String: Any] = [:]
            if let url = media.url {
                if url.hasPrefix("media:") { part["id"] = String(url.dropFirst("media:".count)) } else { part["link"] = url }
            }
            if let caption = media.caption ?? content.text, media.type != "audio", media.type != "sticker" { part["caption"] = caption }
            body[media.type] = part
        } else {
            body["type"] = "text"
            body["text"] = ["body": content.text ?? "", "preview_url": false]
        }
        return body
    }
}
