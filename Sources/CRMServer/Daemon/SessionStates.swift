import CRMCore
import CRMScripting
import CRMSessions
import CRMStore
import Foundation
import Logging

/// What a session's state change means for the rest of the host: the stored
/// row, the instance's `connection` scripts, the bots' folder binding, and the
/// live inbox.
enum SessionStates {
    static func record(_ instance: InstanceID, _ state: SessionState, store: CRMStore, pipeline: MessagePipeline,
                       scripts: ScriptEngine, bus: EventBus, logger: Logger) async {
        do {
            if state.status == .connected, let phone = state.phoneNumber {
                try store.claimPhone(phone, for: instance)
            } else {
                try store.updateStatus(instance, to: state.status, qrCode: state.qrCode)
            }
        } catch StoreError.instanceNotFound {
            return
        } catch {
            logger.error("instance \(instance) could not record \(state.status.rawValue): \(error)")
            try? store.updateStatus(instance, to: .failed)
        }
        pipeline.connectionChanged(instance, state.event)
        guard let record = try? store.instance(instance) else { return }
        scripts.instanceAppeared(record.info)
        bus.publish(type: "instance", companyID: record.companyID, object: record.json)
    }
}

extension InstanceRecord {
    /// The API's view: no config, no secrets.
    var json: InstanceJSON {
        InstanceJSON(id: id, name: name, phone_number: phoneNumber, status: status.rawValue,
                     qr_code: status == .qr ? qrCode : nil, connector: connector,
                     created_at: createdAt, updated_at: updatedAt)
    }

    var reference: InstanceRefJSON { InstanceRefJSON(id: id, name: name, phone_number: phoneNumber) }
}

extension MessageRecord {
    var json: MessageJSON {
        MessageJSON(id: id, conversation_id: conversationID, whatsapp_message_id: whatsappID,
                    direction: direction.rawValue, sender: sender, content: content, media_url: mediaURL,
                    media_type: mediaType, status: status?.rawValue, reason: reason, created_at: createdAt)
    }
}

extension InboxConversation {
    var json: ConversationJSON {
        let row = conversation
        return ConversationJSON(
            id: row.id,
            instance: InstanceRefJSON(id: row.instanceID, name: instanceName, phone_number: instancePhone),
            contact_id: row.contactID, contact_phone: row.contactPhone, contact_user_id: row.contactUserID,
            contact_username: row.contactUsername, contact_name: row.contactName, is_group: row.isGroup,
            group_name: row.groupName, last_message_at: row.lastMessageAt, unread_count: row.unreadCount,
            tags: tags, assignee: row.assignee)
    }
}
