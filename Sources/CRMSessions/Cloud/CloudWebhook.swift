import CRMCore
import Foundation

/// What one webhook delivery means for one instance.
public enum CloudWebhookEvent: Sendable, Equatable {
    case message(InboundMessage)
    /// A receipt for a message we sent, by its wamid.
    case receipt(providerMessageID: String, status: DeliveryStatus, reason: String?)
    /// `user_changed_number` / `user_changed_user_id`: the same person, a new identifier.
    case contactChanged(from: ContactIdentity, to: ContactIdentity)
    /// `errors` Meta reports about the number or the app.
    case error(String)
}

/// Turns a verified webhook body into events. Changes addressed to another
/// phone number id are not this instance's: they are counted and ignored.
public enum CloudWebhook {
    public struct Parsed: Sendable, Equatable {
        public var events: [CloudWebhookEvent]
        /// Changes whose `metadata.phone_number_id` is not the instance's.
        public var foreignChanges: Int
    }

    public struct MalformedBody: Error, Sendable, Equatable {}

    /// - Parameter receivedAt: when the webhook arrived; it stands in for a
    ///   message `timestamp` that is no real send time (see `CloudTimestamp`).
    public static func parse(_ body: [UInt8], instanceID: InstanceID, phoneNumberID: String,
                             receivedAt: Date = Date()) throws(MalformedBody) -> Parsed {
        let payload: CloudWebhookPayload
        do {
            let document = try JSONDocument(body)
            payload = try CloudWebhookPayload(PayloadObject(document, document.root))
        } catch {
            throw MalformedBody()
        }
        var parsed = Parsed(events: [], foreignChanges: 0)
        for change in payload.entry.flatMap(\.changes) {
            guard change.value.metadata?.phone_number_id == phoneNumberID else {
                parsed.foreignChanges += 1
                continue
            }
            parsed.events += events(of: change.value, instanceID: instanceID, receivedAt: receivedAt)
        }
        return parsed
    }

    static func events(of value: CloudWebhookPayload.Value, instanceID: InstanceID, receivedAt: Date) -> [CloudWebhookEvent] {
        var events: [CloudWebhookEvent] = []
        let contacts = value.contacts ?? []
        for message in value.messages ?? [] {
            if let system = message.system {
                if let change = contactChange(message, system) { events.append(change) }
                continue
            }
            let contact = contacts.first { known in
                (known.wa_id != nil && known.wa_id == message.from)
                    || (known.user_id != nil && known.user_id == message.from_user_id)
            } ?? (contacts.count == 1 ? contacts[0] : nil)
            let identity = ContactIdentity(phone: message.from ?? contact?.wa_id,
                                           userID: message.from_user_id ?? contact?.user_id,
                                           username: contact?.profile?.username)
            guard identity.contactID != nil else { continue }
            let (text, media) = content(of: message)
            let at = CloudTimestamp.sentAt(message.timestamp, receivedAt: receivedAt)
            events.append(.message(InboundMessage(instanceID: instanceID, whatsappID: message.id, contact: identity,
                                                  contactName: contact?.profile?.name, text: text, media: media, at: at)))
        }
        for status in value.statuses ?? [] {
            guard let delivery = DeliveryStatus(rawValue: status.status) else { continue }
            let reason = status.errors?.map(\.summary).joined(separator: "; ")
            events.append(.receipt(providerMessageID: status.id, status: delivery, reason: reason))
        }
        for error in value.errors ?? [] { events.append(.error(error.summary)) }
        return events
    }

    /// The text a script sees, and the media beside it.
    static func content(of message: CloudWebhookPayload.Message) -> (String, Media?) {
        if let text = message.text { return (text.body, nil) }
        for (type, part) in [("image", message.image), ("audio", message.audio), ("video", message.video),
                             ("document", message.document), ("sticker", message.sticker)] {
            if let part {
                return (part.caption ?? "", Media(type: type, url: part.link ?? part.id.map { "media:" + $0 },
                                                  mime: part.mime_type, caption: part.caption))
            }
        }
        if let location = message.location {
            let place = [location.name, location.address].compactMap { $0 }.joined(separator: ", ")
            let coordinates = "\(location.latitude ?? 0),\(location.longitude ?? 0)"
            return (place.isEmpty ? coordinates : "\(place) (\(coordinates))", Media(type: "location", url: "geo:" + coordinates))
        }
        if let shared = message.contacts {
            let cards = shared.map { card in
                ([card.name?.formatted_name] + (card.phones ?? []).map { $0.phone ?? $0.wa_id }).compactMap { $0 }.joined(separator: " ")
            }
            return (cards.joined(separator: "; "), Media(type: "contacts"))
        }
        if let interactive = message.interactive, let reply = interactive.button_reply ?? interactive.list_reply {
            return (reply.title ?? reply.id ?? "", Media(type: interactive.type ?? "interactive", url: reply.id.map { "reply:" + $0 },
                                                         caption: reply.description))
        }
        if let button = message.button { return (button.text ?? button.payload ?? "", Media(type: "button", url: button.payload.map { "reply:" + $0 })) }
        if let reaction = message.reaction {
            return (reaction.emoji ?? "", Media(type: "reaction", url: reaction.message_id.map { "wamid:" + $0 }))
        }
        return ("", message.type.map { Media(type: $0) })
    }

    static func contactChange(_ message: CloudWebhookPayload.Message, _ system: CloudWebhookPayload.System) -> CloudWebhookEvent? {
        switch system.type {
        case "user_changed_number":
            guard let old = message.from ?? system.wa_id, let new = system.new_wa_id else { return nil }
            return .contactChanged(from: ContactIdentity(phone: old, userID: message.from_user_id),
                                   to: ContactIdentity(phone: new, userID: system.new_user_id ?? message.from_user_id))
        case "user_changed_user_id":
            guard let old = message.from_user_id ?? system.user_id, let new = system.new_user_id ?? (message.from_user_id == nil ? nil : system.user_id) else { return nil }
            return .contactChanged(from: ContactIdentity(phone: message.from, userID: old),
                                   to: ContactIdentity(phone: message.from, userID: new))
        default:
            return nil
        }
    }
}
