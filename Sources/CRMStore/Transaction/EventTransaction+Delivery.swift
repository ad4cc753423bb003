import CRMCore
import Foundation
import GRDB

/// The result of a status change: the event for the instance's scripts.
public struct DeliveryUpdate: Sendable, Equatable {
    public var instanceID: InstanceID
    public var event: StatusEvent
}

extension EventTransaction {
    /// The connector accepted a send: the message becomes `sent` with the
    /// provider's id and leaves the outbox.
    /// - Returns: nil when the outbox row is gone (already confirmed).
    public func recordSendAccepted(outboxID: Int64, providerMessageID: String, now: Date) throws -> DeliveryUpdate? {
        guard let row = try outboxRow(outboxID) else { return nil }
        try db.cachedStatement(sql: """
            UPDATE messages SET status = 'sent', whatsapp_message_id = ? WHERE id = ? AND status = 'queued'
            """).execute(arguments: [providerMessageID, row.messageID])
        try db.cachedStatement(sql: "DELETE FROM outbox WHERE id = ?").execute(arguments: [outboxID])
        return DeliveryUpdate(instanceID: row.instanceID, event: StatusEvent(
            messageID: providerMessageID, conversation: row.conversationID, status: .sent, at: now))
    }

    /// A send failed for good (permanent failure, or too many attempts): the
    /// message becomes `failed` with the reason and leaves the outbox.
    public func recordSendFailed(outboxID: Int64, reason: String, now: Date) throws -> DeliveryUpdate? {
        guard let row = try outboxRow(outboxID) else { return nil }
        try db.execute(sql: "UPDATE messages SET status = 'failed', reason = ? WHERE id = ?", arguments: [reason, row.messageID])
        try db.execute(sql: "DELETE FROM outbox WHERE id = ?", arguments: [outboxID])
        return DeliveryUpdate(instanceID: row.instanceID, event: StatusEvent(
            messageID: row.idempotencyKey, conversation: row.conversationID, status: .failed, reason: reason, at: now))
    }

    /// A send failed but may work later: counted, and tried again at `retryAt`.
    public func rescheduleSend(outboxID: Int64, reason: String, retryAt: Date) throws {
        try db.execute(sql: "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ?",
                       arguments: [reason, retryAt.storeTime, outboxID])
    }

    /// A receipt for one of our messages. Statuses only move forward
    /// (`sent → delivered → read`), so a repeated or late receipt changes nothing.
    /// - Returns: nil when the message is unknown on this instance or the status is not news.
    public func recordReceipt(instanceID: InstanceID, providerMessageID: String, status: DeliveryStatus,
                              reason: String?, now: Date) throws -> DeliveryUpdate? {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT id, conversation_id, status FROM messages
            WHERE instance_id = ? AND whatsapp_message_id = ? AND direction = 'out'
            """), arguments: [instanceID, providerMessageID]) else { return nil }
        let current = DeliveryStatus(rawValue: row["status"]) ?? .queued
        guard status.rank > current.rank else { return nil }
        try db.cachedStatement(sql: "UPDATE messages SET status = ?, reason = ? WHERE id = ?")
            .execute(arguments: [status.rawValue, reason, row["id"] as Int64])
        return DeliveryUpdate(instanceID: instanceID, event: StatusEvent(
            messageID: providerMessageID, conversation: row["conversation_id"], status: status, reason: reason, at: now))
    }

    /// Takes a due timer out of storage: its event runs in this transaction, so
    /// it fires exactly once. Nil when it already fired.
    public func takeTimer(id: Int64) throws -> TimerRecord? {
        guard let timer = try TimerRecord.fetchOne(db.cachedStatement(sql: "SELECT * FROM timers WHERE id = ?"),
                                                   arguments: [id]) else { return nil }
        try db.cachedStatement(sql: "DELETE FROM timers WHERE id = ?").execute(arguments: [id])
        return timer
    }

    private func outboxRow(_ id: Int64) throws -> OutboxRow? {
        try Row.fetchOne(db.cachedStatement(sql: """
            SELECT message_id, instance_id, conversation_id, idempotency_key FROM outbox WHERE id = ?
            """), arguments: [id]).map {
            OutboxRow(messageID: $0["message_id"], instanceID: $0["instance_id"], conversationID: $0["conversation_id"],
                      idempotencyKey: $0["idempotency_key"])
        }
    }
}

/// The columns of an outbox row a status change needs.
private struct OutboxRow {
    var messageID: MessageRowID
    var instanceID: InstanceID
    var conversationID: ConversationID
    var idempotencyKey: String
}

extension DeliveryStatus {
    /// Order of the states; `failed` ends a send that was not delivered.
    var rank: Int {
        switch self {
        case .queued: return 0
        case .sent: return 1
        case .failed: return 2
        case .delivered: return 3
        case .read: return 4
        }
    }
}
