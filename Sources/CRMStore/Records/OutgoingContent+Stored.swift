import CRMCore

extension OutgoingContent {
    /// The outbox's `content` column: the Codable shape, which `OutboxEntry`
    /// reads back with `JSONDecoder`, written by hand because every queued
    /// send pays for it. Absent fields are left out, as the encoder does.
    var storedJSON: String {
        var json = JSONWriter(capacity: 32 + (text?.utf8.count ?? 0))
        json.object { json in
            if let text { json.key("text"); json.string(text) }
            if let media {
                json.key("media")
                json.object { json in
                    json.key("type"); json.string(media.type)
                    if let url = media.url { json.key("url"); json.string(url) }
                    if let mime = media.mime { json.key("mime"); json.string(mime) }
                    if let caption = media.caption { json.key("caption"); json.string(caption) }
                }
            }
            if let template {
                json.key("template")
                json.object { json in
                    json.key("name"); json.string(template.name)
                    json.key("language"); json.string(template.language)
                    json.key("parameters"); json.array(template.parameters) { json, parameter in json.string(parameter) }
                }
            }
            if let replyTo { json.key("replyTo"); json.string(replyTo) }
        }
        return String(decoding: json.bytes, as: UTF8.self)
    }
}
