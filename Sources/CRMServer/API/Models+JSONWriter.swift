import CRMCore

/// The list shapes write themselves (see `JSONWriter`); their Codable
/// conformances stay for clients and tests that decode them.

extension InstanceRefJSON: JSONWritable {
    func write(to json: inout JSONWriter) {
        json.object { json in
            json.key("id"); json.string(id)
            json.key("name"); json.string(name)
            json.key("phone_number"); json.string(phone_number)
        }
    }
}

extension ConversationJSON: JSONWritable {
    func write(to json: inout JSONWriter) {
        json.object { json in
            json.key("id"); json.integer(id)
            json.key("instance"); instance.write(to: &json)
            json.key("contact_id"); json.string(contact_id)
            json.key("contact_phone"); json.string(contact_phone)
            json.key("contact_user_id"); json.string(contact_user_id)
            json.key("contact_username"); json.string(contact_username)
            json.key("contact_name"); json.string(contact_name)
            json.key("is_group"); json.bool(is_group)
            json.key("group_name"); json.string(group_name)
            json.key("last_message_at"); json.date(last_message_at)
            json.key("unread_count"); json.integer(unread_count)
            json.key("tags"); json.array(tags) { json, tag in json.string(tag) }
            json.key("assignee"); json.string(assignee)
        }
    }
}

extension MessageJSON: JSONWritable {
    func write(to json: inout JSONWriter) {
        json.object { json in
            json.key("id"); json.integer(id)
            json.key("conversation_id"); json.integer(conversation_id)
            json.key("whatsapp_message_id"); json.string(whatsapp_message_id)
            json.key("direction"); json.string(direction)
            json.key("sender"); json.string(sender)
            json.key("content"); json.string(content)
            json.key("media_url"); json.string(media_url)
            json.key("media_type"); json.string(media_type)
            json.key("status"); json.string(status)
            json.key("reason"); json.string(reason)
            json.key("created_at"); json.date(created_at)
        }
    }
}

extension PageJSON: JSONWritable where Item: JSONWritable {
    func write(to json: inout JSONWriter) {
        json.object { json in
            json.key("items"); json.array(items) { json, item in item.write(to: &json) }
            json.key("next_cursor"); json.string(next_cursor)
        }
    }
}
