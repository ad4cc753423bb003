import CRMCore
import Foundation
import GRDB

/// What became of an inbound message in the transaction.
public enum InboundRecording: Sendable, Equatable {
    /// Stored now, with its conversation upserted: the event for the scripts.
    case stored(MessageEvent, messageID: MessageRowID)
    /// Already stored before (a redelivery): nothing to do, acknowledge again.
    case duplicate
}

extension EventTransaction {
    /// Deduplicates, upserts the conversation (linking identities, SPEC §3) and
    /// stores an inbound message.
    /// - Throws: `InboundRejection` before writing anything when the instance is
    ///   unknown or not connected, or the message is malformed.
    public func recordInbound(_ message: InboundMessage) throws -> InboundRecording {
        try message.validate()
        guard let instance = try instance(message.instanceID) else { throw InboundRejection.unknownInstance(message.instanceID) }
        guard instance.status == .connected else {
            throw InboundRejection.instanceNotConnected(instance.id, status: instance.status)
        }
        if try Int.fetchOne(db, sql: "SELECT 1 FROM messages WHERE instance_id = ? AND whatsapp_message_id = ?",
                            arguments: [instance.id, message.whatsappID]) != nil {
            return .duplicate
        }
        let conversation = try upsertConversation(for: message, instance: instance)
        let sender = message.group == nil ? nil : (message.sender?.contactID ?? message.senderName)
        try db.cachedStatement(sql: """
            INSERT INTO messages (conversation_id, instance_id, whatsapp_message_id, direction, sender, content,
                                  media_url, media_type, status, created_at)
            VALUES (?, ?, ?, 'in', ?, ?, ?, ?, 'received', ?)
            """).execute(arguments: [conversation.id, instance.id, message.whatsappID, sender, message.text,
                                     message.media?.url, message.media?.type, message.at.storeTime])
        let messageID = db.lastInsertedRowID
        let event = MessageEvent(whatsappID: message.whatsappID, conversation: conversation.id,
                                 contact: conversation.contact, name: conversation.contactName ?? message.senderName,
                                 text: message.text, group: message.group, sender: sender, media: message.media,
                                 at: message.at)
        return .stored(event, messageID: messageID)
    }

    private func upsertConversation(for message: InboundMessage, instance: InstanceRecord) throws -> ConversationRecord {
        let at = message.at.storeTime
        if let group = message.group {
            try db.cachedStatement(sql: """
                INSERT INTO conversations (instance_id, company_id, contact_id, is_group, group_name, contact_name,
                                           last_message_at, last_inbound_at, unread_count, created_at)
                VALUES (?, ?, ?, 1, ?, ?, ?, ?, 1, ?)
                ON CONFLICT (instance_id, contact_id) DO UPDATE SET
                    group_name = COALESCE(excluded.group_name, group_name),
                    contact_name = COALESCE(excluded.contact_name, contact_name),
                    last_message_at = MAX(COALESCE(last_message_at, 0), excluded.last_message_at),
                    last_inbound_at = MAX(COALESCE(last_inbound_at, 0), excluded.last_inbound_at),
                    unread_count = unread_count + 1
                """).execute(arguments: [instance.id, instance.companyID, group.id, group.name, group.name, at, at,
                                         Date().storeTime])
            return try ConversationRecord.fetchOne(db, sql: """
                SELECT * FROM conversations WHERE instance_id = ? AND contact_id = ?
                """, arguments: [instance.id, group.id])!
        }
        let contact = message.contact
        let byPhone = try contact.phone.flatMap { phone in
            try ConversationRecord.fetchOne(db.cachedStatement(sql: """
                SELECT * FROM conversations WHERE instance_id = ? AND contact_phone = ?
                """), arguments: [instance.id, phone])
        }
        let byUserID = try contact.userID.flatMap { userID in
            try ConversationRecord.fetchOne(db.cachedStatement(sql: """
                SELECT * FROM conversations WHERE instance_id = ? AND contact_user_id = ?
                """), arguments: [instance.id, userID])
        }
        if let byPhone, let byUserID, byPhone.id != byUserID.id {
            try merge(byUserID, into: byPhone)
        }
        guard let existing = byPhone ?? byUserID else {
            try db.cachedStatement(sql: """
                INSERT INTO conversations (instance_id, company_id, contact_id, contact_phone, contact_user_id,
                                           contact_username, contact_name, last_message_at, last_inbound_at,
                                           unread_count, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)
                """).execute(arguments: [instance.id, instance.companyID, contact.contactID, contact.phone,
                                         contact.userID, contact.username, message.contactName, at, at,
                                         Date().storeTime])
            return try conversation(db.lastInsertedRowID)
        }
        // Learning a phone makes it the key (SPEC §3: phone digits when known).
        try db.cachedStatement(sql: """
            UPDATE conversations SET
                contact_phone = COALESCE(?, contact_phone),
                contact_user_id = COALESCE(?, contact_user_id),
                contact_username = COALESCE(?, contact_username),
                contact_name = COALESCE(?, contact_name),
                contact_id = COALESCE(?, contact_phone, contact_id),
                last_message_at = MAX(COALESCE(last_message_at, 0), ?),
                last_inbound_at = MAX(COALESCE(last_inbound_at, 0), ?),
                unread_count = unread_count + 1
            WHERE id = ?
            """).execute(arguments: [contact.phone, contact.userID, contact.username, message.contactName,
                                     contact.phone, at, at, existing.id])
        return try conversation(existing.id)
    }

    /// Two conversations turned out to be one person: the one found by phone
    /// keeps everything, the other disappears.
    private func merge(_ other: ConversationRecord, into kept: ConversationRecord) throws {
        try db.execute(sql: "UPDATE messages SET conversation_id = ? WHERE conversation_id = ?", arguments: [kept.id, other.id])
        try db.execute(sql: "UPDATE outbox SET conversation_id = ? WHERE conversation_id = ?", arguments: [kept.id, other.id])
        try db.execute(sql: """
            INSERT OR IGNORE INTO conversation_tags (conversation_id, tag_id)
            SELECT ?, tag_id FROM conversation_tags WHERE conversation_id = ?
            """, arguments: [kept.id, other.id])
        try db.execute(sql: "DELETE FROM conversations WHERE id = ?", arguments: [other.id])
        try db.execute(sql: """
            UPDATE conversations SET
                contact_user_id = COALESCE(contact_user_id, ?),
                contact_username = COALESCE(contact_username, ?),
                contact_name = COALESCE(contact_name, ?),
                assignee = COALESCE(assignee, ?),
                unread_count = unread_count + ?,
                last_message_at = MAX(COALESCE(last_message_at, 0), COALESCE(?, 0))
            WHERE id = ?
            """, arguments: [other.contactUserID, other.contactUsername, other.contactName, other.assignee,
                             other.unreadCount, other.lastMessageAt?.storeTime, kept.id])
    }

    func conversation(_ id: ConversationID) throws -> ConversationRecord {
        try ConversationRecord.fetchOne(db.cachedStatement(sql: "SELECT * FROM conversations WHERE id = ?"), arguments: [id])!
    }
}
