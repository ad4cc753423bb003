import CRMCore
import Foundation
import GRDB

/// What storing an inbound message did.
public enum IngestResult: Sendable, Equatable {
    /// First delivery: stored, its conversation upserted.
    case stored(MessageRecord, companyID: Int64)
    /// A redelivery of a message already stored: nothing changed.
    case duplicate(MessageRowID)
}

extension StoreTransaction {
    /// Stores an inbound message once per WhatsApp id and instance, and upserts
    /// its conversation (`last_message_at`, `unread_count`, identity linking).
    /// A conversation that already holds the message's identifiers is updated
    /// once the event's actions are written (see `ConversationTouch`).
    /// - Throws: `StoreError.instanceNotFound`; `StoreError.instanceNotConnected`
    ///   when the instance is not `CONNECTED` (nothing is stored).
    public func ingest(_ message: InboundMessage) throws -> IngestResult {
        try settleTouch()
        guard let instance = try instance(message.instanceID) else { throw StoreError.instanceNotFound(message.instanceID) }
        guard instance.status == .connected else {
            throw StoreError.instanceNotConnected(instance.id, status: instance.status)
        }
        let lookup = try lookUpWithoutLinking(message, instance: instance.id)
        if case .linked(let found) = lookup {
            // Most messages: nothing is written before the message itself,
            // so its insert is the duplicate check.
            guard let stored = try insertInbound(message, instance: instance, conversation: found.conversation,
                                                 unlessStored: true) else {
                return .duplicate(try storedID(of: message, instance: instance.id)!)
            }
            let route = touch(found, for: message)
            routes[route.conversation] = route
            return .stored(stored, companyID: instance.companyID)
        }
        if let existing = try storedID(of: message, instance: instance.id) { return .duplicate(existing) }
        let route = try upsertConversation(for: message, instance: instance, lookup: lookup)
        routes[route.conversation] = route
        let stored = try insertInbound(message, instance: instance, conversation: route.conversation, unlessStored: false)!
        return .stored(stored, companyID: instance.companyID)
    }

    /// The row id of the message with this WhatsApp id on the instance, if stored.
    private func storedID(of message: InboundMessage, instance: InstanceID) throws -> MessageRowID? {
        try DirectStatement(db, sql: """
            SELECT id FROM messages WHERE instance_id = ? AND whatsapp_message_id = ?
            """).fetchOne(instance, message.whatsappID, read: { row -> MessageRowID in row[column: 0] })
    }

    /// Writes the message's row.
    /// - Parameter unlessStored: a message with the same WhatsApp id on the
    ///   instance leaves the insert undone (and nil returned) instead of
    ///   failing it.
    private func insertInbound(_ message: InboundMessage, instance: InstanceRecord, conversation: ConversationID,
                               unlessStored: Bool) throws -> MessageRecord? {
        let sender = message.group != nil ? (message.sender?.contactID ?? message.senderName) : message.contact.contactID
        let content = message.text.isEmpty ? (message.media?.caption ?? "") : message.text
        let at = message.at.storageSeconds
        try DirectStatement(db, sql: unlessStored ? Self.insertInboundUnlessStored : Self.insertInbound)
            .execute(instance.id, conversation, message.whatsappID, sender, content, message.media?.url,
                     message.media?.type, at)
        guard db.changesCount > 0 else { return nil }
        return MessageRecord(id: db.lastInsertedRowID, instanceID: instance.id, conversationID: conversation,
                             whatsappID: message.whatsappID, direction: .inbound, sender: sender, content: content,
                             mediaURL: message.media?.url, mediaType: message.media?.type, status: nil,
                             createdAt: Date(storageSeconds: at))
    }

    private static let insertInbound = """
        INSERT INTO messages(instance_id, conversation_id, whatsapp_message_id, direction, sender, content,
                             media_url, media_type, created_at)
        VALUES (?, ?, ?, 'in', ?, ?, ?, ?, ?)
        """
    private static let insertInboundUnlessStored = insertInbound + """

        ON CONFLICT(instance_id, whatsapp_message_id) WHERE whatsapp_message_id IS NOT NULL DO NOTHING
        """

    /// The update of a conversation that already holds the message's
    /// identifiers, held back until the event's actions are written
    /// (`ConversationTouch`); returns its route as it will be.
    private func touch(_ found: ReplyRoute, for message: InboundMessage) -> ReplyRoute {
        let at = message.at.storageSeconds
        pendingTouch = ConversationTouch(conversation: found.conversation, username: message.contact.username,
                                         name: message.contactName, inboundAt: at, lastMessageAt: at)
        var route = found
        route.lastInboundAt = max(route.lastInboundAt ?? at, at)
        return route
    }

    /// Finds the conversation by group id, or by phone or user id — whichever is
    /// known — linking the identifiers (SPEC §3): one person is never two
    /// conversations on one instance.
    private func upsertConversation(for message: InboundMessage, instance: InstanceRecord,
                                    lookup: Lookup) throws -> ReplyRoute {
        let at = message.at.storageSeconds
        let phone = message.contact.knownPhone
        let userID = message.contact.userID
        switch lookup {
        case .group(let group):
            return try upsertGroup(group, instance: instance, at: at)
        case .firstMessage(let phone):
            return try insertConversation(for: message, instance: instance, contactID: phone, at: at)
        case .linked(let route):
            return touch(route, for: message)
        case .needsLinking(let lookedUp):
            // The lookup was by phone when there is one, else by user id: only the other is left to look up.
            let byPhone = phone == nil ? nil : lookedUp
            let byUser = phone == nil ? lookedUp
                : try userID.flatMap { try conversationID(instance.id, column: "contact_user_id", value: $0) }
            return try link(message, instance: instance, byPhone: byPhone, byUser: byUser, at: at)
        }
    }

    /// The conversation of a contact whose message brings identifiers to
    /// link: the two conversations merged when they are two, a new one when
    /// there is none, and the identifiers written.
    private func link(_ message: InboundMessage, instance: InstanceRecord, byPhone: ConversationID?,
                      byUser: ConversationID?, at: Double) throws -> ReplyRoute {
        let phone = message.contact.knownPhone
        let userID = message.contact.userID
        let found: ConversationID?
        if let byPhone, let byUser, byPhone != byUser {
            relinkedConversations.insert(byUser)
            try merge(byUser, into: byPhone)
            found = byPhone
        } else {
            found = byPhone ?? byUser
        }
        guard let id = found else {
            guard let contactID = phone ?? userID else { throw StoreError.missingContact(message.whatsappID) }
            return try insertConversation(for: message, instance: instance, contactID: contactID, at: at)
        }
        relinkedConversations.insert(id)
        try DirectStatement(db, sql: Self.touchLinking)
            .execute(phone, userID, message.contact.username, message.contactName, at, id)
        return try ReplyRoute.fetch(db, id: id)!
    }

    /// A new conversation of a contact, with its first message counted unread.
    private func insertConversation(for message: InboundMessage, instance: InstanceRecord, contactID: String,
                                    at: Double) throws -> ReplyRoute {
        let phone = message.contact.knownPhone
        try db.cachedStatement(sql: """
            INSERT INTO conversations(instance_id, company_id, contact_id, contact_phone, contact_user_id,
                                      contact_username, contact_name, last_message_at, last_inbound_at,
                                      unread_count, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)
            """).execute(arguments: [instance.id, instance.companyID, contactID, phone, message.contact.userID,
                                     message.contact.username, message.contactName, at, at, at])
        return ReplyRoute(conversation: db.lastInsertedRowID, instanceID: instance.id, isGroup: false,
                          contactID: contactID, phone: phone, userID: message.contact.userID, lastInboundAt: at)
    }

    /// A conversation's update for one more inbound message: identifiers
    /// linked, times moved, one more unread.
    private static let touchLinking = """
        UPDATE conversations SET
          contact_phone = coalesce(contact_phone, ?1),
          contact_user_id = coalesce(contact_user_id, ?2),
          contact_id = coalesce(contact_phone, ?1, contact_id),
          contact_username = coalesce(?3, contact_username),
          contact_name = coalesce(?4, contact_name),
          last_message_at = max(last_message_at, ?5),
          last_inbound_at = max(coalesce(last_inbound_at, ?5), ?5),
          unread_count = unread_count + 1
        WHERE id = ?6
        """

    private func upsertGroup(_ group: GroupRef, instance: InstanceRecord, at: Double) throws -> ReplyRoute {
        try DirectStatement(db, sql: """
            INSERT INTO conversations(instance_id, company_id, contact_id, is_group, group_name, last_message_at,
                                      last_inbound_at, unread_count, created_at)
            VALUES (?1, ?2, ?3, 1, ?4, ?5, ?5, 1, ?5)
            ON CONFLICT(instance_id, contact_id) DO UPDATE SET
              group_name = coalesce(excluded.group_name, group_name),
              last_message_at = max(last_message_at, excluded.last_message_at),
              last_inbound_at = max(coalesce(last_inbound_at, excluded.last_inbound_at), excluded.last_inbound_at),
              unread_count = unread_count + 1
            """).execute(instance.id, instance.companyID, group.id, group.name, at)
        return try DirectStatement(db, sql: """
            SELECT \(ReplyRoute.columns) FROM conversations WHERE instance_id = ? AND contact_id = ?
            """).fetchOne(instance.id, group.id, read: ReplyRoute.init)!
    }

    /// What one lookup tells about a message's conversation.
    private enum Lookup {
        /// A group's message: its conversation is the group's, upserted by its id.
        case group(GroupRef)
        /// Found, already holding every identifier the message carries.
        case linked(ReplyRoute)
        /// A contact known by phone alone, writing for the first time.
        case firstMessage(phone: String)
        /// Identifiers to link, or a lookup by the other one to make; with
        /// what this lookup found.
        case needsLinking(lookedUp: ConversationID?)
    }

    /// Looks the contact up by phone (or, without one, by user id); a group's
    /// message needs no lookup. Most messages end here: their conversation
    /// already holds their identifiers, so its update leaves the identifier
    /// columns, and their three indexes, alone (`ConversationTouch`).
    private func lookUpWithoutLinking(_ message: InboundMessage, instance: InstanceID) throws -> Lookup {
        if let group = message.group { return .group(group) }
        let phone = message.contact.knownPhone
        let userID = message.contact.userID
        guard let value = phone ?? userID else { return .needsLinking(lookedUp: nil) }
        let key = ContactRouteCache.Key(instance: instance, byPhone: phone != nil, value: value)
        guard let route = try knownRoute(key) ?? fetchRoute(key) else {
            guard let phone, userID == nil else { return .needsLinking(lookedUp: nil) }
            return .firstMessage(phone: phone)
        }
        let linked = (phone == nil || route.phone == phone) && (userID == nil || route.userID == userID)
        return linked ? .linked(route) : .needsLinking(lookedUp: route.conversation)
    }

    /// The contact's route as this transaction sees it, when kept: first
    /// looked up earlier in this transaction, or in `contactRoutes`.
    private func knownRoute(_ key: ContactRouteCache.Key) -> ReplyRoute? {
        guard let contactRoutes else { return nil }
        if let conversation = foundContacts[key] {
            return relinkedConversations.contains(conversation) ? nil : routes[conversation]
        }
        guard let kept = contactRoutes.route(key), !relinkedConversations.contains(kept.conversation) else {
            return nil
        }
        return routes[kept.conversation] ?? kept
    }

    /// The contact's route read from the database, remembered for
    /// `contactRoutes` when found.
    private func fetchRoute(_ key: ContactRouteCache.Key) throws -> ReplyRoute? {
        let column = key.byPhone ? "contact_phone" : "contact_user_id"
        let route = try DirectStatement(db, sql: """
            SELECT \(ReplyRoute.columns) FROM conversations WHERE instance_id = ? AND \(column) = ? AND is_group = 0
            """).fetchOne(key.instance, key.value, read: ReplyRoute.init)
        if let route { foundContacts[key] = route.conversation }
        return route
    }

    private func conversationID(_ instance: InstanceID, column: String, value: String) throws -> ConversationID? {
        try DirectStatement(db, sql: """
            SELECT id FROM conversations WHERE instance_id = ? AND \(column) = ? AND is_group = 0
            """).fetchOne(instance, value) { row -> ConversationID in row[column: 0] }
    }

    /// Folds a conversation known only by user id into the one known by phone,
    /// once a message shows both belong to one person.
    private func merge(_ source: ConversationID, into target: ConversationID) throws {
        guard let old = try ConversationRecord.fetch(db, id: source) else { return }
        routes[source] = nil
        for sql in ["UPDATE messages SET conversation_id = ?1 WHERE conversation_id = ?2",
                    "UPDATE outbox SET conversation_id = ?1 WHERE conversation_id = ?2",
                    """
                    INSERT OR IGNORE INTO conversation_tags(conversation_id, tag_id)
                    SELECT ?1, tag_id FROM conversation_tags WHERE conversation_id = ?2
                    """,
                    "DELETE FROM conversations WHERE id = ?2"] {
            try db.execute(sql: sql, arguments: [target, source])
        }
        try db.execute(sql: """
            UPDATE conversations SET
              contact_user_id = coalesce(contact_user_id, ?),
              contact_username = coalesce(contact_username, ?),
              contact_name = coalesce(contact_name, ?),
              assignee = coalesce(assignee, ?),
              unread_count = unread_count + ?,
              last_message_at = max(last_message_at, ?),
              last_inbound_at = max(coalesce(last_inbound_at, 0), coalesce(?, 0))
            WHERE id = ?
            """, arguments: [old.contactUserID, old.contactUsername, old.contactName, old.assignee, old.unreadCount,
                             old.lastMessageAt.storageSeconds, old.lastInboundAt?.storageSeconds, target])
    }
}

private extension ContactIdentity {
    /// The phone, unless it is missing or empty.
    var knownPhone: String? { phone.flatMap { $0.isEmpty ? nil : $0 } }
}
