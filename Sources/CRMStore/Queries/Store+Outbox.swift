import CRMCore
import Foundation
import GRDB

extension StoreTransaction {
    /// Takes up to `limit` due sends, oldest first, marking them `sending` so no
    /// other claim returns them.
    /// - Parameters:
    ///   - limit: most sends in all.
    ///   - perInstance: most sends of one instance, so one number's backlog
    ///     cannot fill the claim and hold back the others (SPEC §2.5).
    ///   - skipping: instances that already have their share in flight.
    public func claimDueSends(now: Date = Date(), limit: Int, perInstance: Int = .max,
                              skipping: Set<InstanceID> = []) throws -> SendClaim {
        try settleTouch()
        let oldest = try Self.oldestDueSends(db, now: now, limit: limit)
        var sends = Self.shares(of: oldest, perInstance: perInstance, skipping: skipping)
        let taken = Set(sends.map(\.id))
        let passedOver = Set(oldest.filter { !taken.contains($0.id) }.map(\.instanceID))
        let readAll = oldest.count < limit
        if !readAll, sends.count < oldest.count {
            sends = try Self.dueSendsByShare(db, now: now, limit: limit, perInstance: perInstance, skipping: skipping)
        }
        let claim = try DirectStatement(db, sql: "UPDATE outbox SET state = 'sending' WHERE id = ?")
        for send in sends { try claim.execute(send.id) }
        return SendClaim(sends: sends, readAll: readAll, passedOver: passedOver)
    }

    /// The oldest due sends, straight from the index. When they are all there
    /// is, or none of them is over its instance's share, keeping each
    /// instance's share of them is the claim: the same sends the windowed
    /// query below would pick, without its sorts.
    private static func oldestDueSends(_ db: Database, now: Date, limit: Int) throws -> [DueSend] {
        try DirectStatement(db, sql: """
            SELECT \(DueSend.columns)
            FROM outbox JOIN conversations ON conversations.id = outbox.conversation_id
            WHERE outbox.state = 'pending' AND outbox.next_attempt_at <= ?
            ORDER BY outbox.next_attempt_at, outbox.id LIMIT ?
            """).fetchAll(now.storageSeconds, Int64(limit), read: DueSend.init(columns:))
    }

    /// `sends` without the instances skipped and without what exceeds each
    /// instance's share, in order.
    private static func shares(of sends: [DueSend], perInstance: Int, skipping: Set<InstanceID>) -> [DueSend] {
        var taken: [InstanceID: Int] = [:]
        return sends.filter { send in
            guard !skipping.contains(send.instanceID), taken[send.instanceID, default: 0] < perInstance else { return false }
            taken[send.instanceID, default: 0] += 1
            return true
        }
    }

    /// Each instance's oldest due sends up to its share, oldest first: for when
    /// one instance's backlog would otherwise fill the claim.
    private static func dueSendsByShare(_ db: Database, now: Date, limit: Int, perInstance: Int,
                                        skipping: Set<InstanceID>) throws -> [DueSend] {
        let skipped = skipping.isEmpty ? "" :
            "AND outbox.instance_id NOT IN (\(Array(repeating: "?", count: skipping.count).joined(separator: ",")))"
        var arguments: StatementArguments = [now.storageSeconds]
        arguments += StatementArguments(Array(skipping))
        arguments += [min(perInstance, Int(Int32.max)), limit]
        return try Row.fetchAll(db, sql: """
            SELECT * FROM (
              SELECT \(DueSend.columns), outbox.next_attempt_at AS due,
                     row_number() OVER (PARTITION BY outbox.instance_id ORDER BY outbox.next_attempt_at, outbox.id) AS place
              FROM outbox JOIN conversations ON conversations.id = outbox.conversation_id
              WHERE outbox.state = 'pending' AND outbox.next_attempt_at <= ? \(skipped))
            WHERE place <= ? ORDER BY due, id LIMIT ?
            """, arguments: arguments).map(DueSend.init(columns:))
    }

}

extension CRMStore {
    /// After a restart: sends claimed but never confirmed go back to the queue,
    /// and so do sends handed straight to their lanes and never answered.
    /// Handing them over again is safe because the connector deduplicates by key.
    @discardableResult
    public func releaseClaimedSends() throws -> Int {
        try pool.write { db in
            try db.execute(sql: "UPDATE outbox SET state = 'pending' WHERE state = 'sending'")
            let released = db.changesCount
            return try released + StoreTransaction.run(in: db, instances: instanceCache) { try $0.requeueUnsettledSends() }
        }
    }

    /// When the next pending send falls due, or nil when the outbox is empty.
    public func nextSendDue() throws -> Date? {
        try pool.read { db in
            try Double.fetchOne(db, sql: "SELECT min(next_attempt_at) FROM outbox WHERE state = 'pending'")
                .map(Date.init(storageSeconds:))
        }
    }

    /// Sends not yet confirmed, for metrics and tests.
    public func outboxCount() throws -> Int {
        try pool.read { db in try Int.fetchOne(db, sql: Self.unsettledSendsCount) ?? 0 }
    }

    /// Counts sends not yet answered: in the outbox, or handed straight to a
    /// lane and kept by their message rows.
    static let unsettledSendsCount = """
        SELECT (SELECT count(*) FROM outbox) + (SELECT count(*) FROM messages WHERE outgoing IS NOT NULL)
        """
}

extension StoreTransaction {
    /// Records how a hand-over of `entry` ended: `sent` with the provider's id,
    /// back to the queue for a retry, or `failed` with the reason.
    /// - Returns: the message when its status changed, nil when the send was
    ///   already settled (a duplicate report).
    public func recordSend(_ entry: OutboxEntry, outcome: SendOutcome, at now: Date) throws -> MessageRecord? {
        switch outcome {
        case .retry(let reason, let retryAt):
            if let row = entry.outboxRow {
                try db.cachedStatement(sql: """
                    UPDATE outbox SET state = 'pending', attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ?
                    """).execute(arguments: [reason, retryAt.storageSeconds, row])
            } else if let conversation = try DirectStatement(db, sql: """
                SELECT conversation_id FROM messages WHERE id = ? AND outgoing IS NOT NULL
                """).fetchOne(entry.messageID, read: { row -> ConversationID in row[column: 0] }) {
                // Handed straight to its lane, and its message keeps it still.
                try moveToOutbox(message: entry.messageID, conversation: conversation,
                                 content: entry.message.content.storedJSON, key: entry.message.idempotencyKey,
                                 attempts: entry.attempts + 1, lastError: reason, due: retryAt.storageSeconds,
                                 queuedAt: entry.queuedAt)
            }
            return nil
        case .sent(let providerID):
            return try settle(entry, as: .sent, providerID: providerID, reason: nil)
        case .failed(let reason):
            return try settle(entry, as: .failed, providerID: nil, reason: reason)
        }
    }

    /// Ends a send as `status`; nil when it was settled already. A send from
    /// the outbox is settled when its row is gone; one handed straight to its
    /// lane, when its message no longer keeps its content.
    /// - Returns: the message as now stored, rebuilt from the entry rather
    ///   than read back: the writer does this for every send.
    private func settle(_ entry: OutboxEntry, as status: DeliveryStatus, providerID: String?,
                        reason: String?) throws -> MessageRecord? {
        if let row = entry.outboxRow {
            try DirectStatement(db, sql: "DELETE FROM outbox WHERE id = ?").execute(row)
            guard db.changesCount > 0 else { return nil }
        }
        let update = """
            UPDATE messages SET status = ?, whatsapp_message_id = ?, reason = ?, outgoing = NULL
            WHERE id = ? AND conversation_id = ? AND status = 'queued' AND (outgoing IS NOT NULL OR ?)
            """
        var conversation = entry.conversationID
        try DirectStatement(db, sql: update).execute(status.rawValue, providerID, reason, entry.messageID, conversation,
                                                      entry.outboxRow != nil)
        if db.changesCount == 0 {
            // Settled already, or its conversation was merged into another
            // since the send was queued: then the message moved with it.
            guard let moved = try DirectStatement(db, sql: "SELECT conversation_id FROM messages WHERE id = ?")
                .fetchOne(entry.messageID, read: { row -> ConversationID in row[column: 0] }),
                  moved != conversation else { return nil }
            conversation = moved
            try DirectStatement(db, sql: update).execute(status.rawValue, providerID, reason, entry.messageID,
                                                          conversation, entry.outboxRow != nil)
            guard db.changesCount > 0 else { return nil }
        }
        let content = entry.message.content
        return MessageRecord(id: entry.messageID, instanceID: entry.instanceID, conversationID: conversation,
                             whatsappID: providerID, direction: .outbound, sender: nil,
                             content: (try? Self.storedText(of: content, in: conversation)) ?? "",
                             mediaURL: content.media?.url, mediaType: content.media?.type, status: status,
                             reason: reason, createdAt: Date(storageSeconds: entry.queuedAt))
    }

    /// After a restart: sends handed straight to their lanes and never
    /// answered are kept only by their message rows. Each gets an outbox row
    /// with its key, due at once in the order queued; the connector drops the
    /// second hand-over of one that had gone out.
    func requeueUnsettledSends() throws -> Int {
        let kept = try DirectStatement(db, sql: """
            SELECT id, conversation_id, outgoing, created_at FROM messages WHERE outgoing IS NOT NULL ORDER BY id
            """).fetchAll(read: { row -> (MessageRowID, ConversationID, String, Double) in
                (row[column: 0], row[column: 1], row[column: 2], row[column: 3])
            })
        for (message, conversation, content, queuedAt) in kept {
            try moveToOutbox(message: message, conversation: conversation, content: content,
                             key: OutboxEntry.idempotencyKey(message: message, queuedAt: queuedAt), due: queuedAt,
                             queuedAt: queuedAt)
        }
        return kept.count
    }

    /// Gives a send that only its message row keeps an outbox row with its
    /// key, and takes the content off the message: from then on the outbox
    /// keeps it, as it keeps any other send (a retry, or a restart).
    /// - Parameter conversation: the message's, as stored now; it may have
    ///   been merged into another since the send was queued.
    private func moveToOutbox(message: MessageRowID, conversation: ConversationID, content: String, key: String,
                              attempts: Int = 0, lastError: String? = nil, due: Double, queuedAt: Double) throws {
        guard let route = try route(conversation) else { return }
        try insertOutboxRow(route: route, message: message, content: content, key: key, attempts: attempts,
                            lastError: lastError, due: due, queuedAt: queuedAt)
        try DirectStatement(db, sql: "UPDATE messages SET outgoing = NULL WHERE id = ?").execute(message)
    }

    /// Applies a receipt for one of our sends, found by the provider's id within
    /// the instance. Status only moves forward (`sent → delivered → read`).
    /// - Returns: the message when its status changed.
    public func recordReceipt(instance: InstanceID, providerMessageID: String, status: DeliveryStatus,
                              reason: String?) throws -> MessageRecord? {
        guard let message = try MessageRecord.fetchOne(db, cachedSQL: """
            SELECT \(MessageRecord.columns) FROM messages WHERE instance_id = ? AND whatsapp_message_id = ? AND direction = 'out'
            """, arguments: [instance, providerMessageID]) else { return nil }
        guard Self.rank(status) > Self.rank(message.status) else { return nil }
        try db.cachedStatement(sql: "UPDATE messages SET status = ?, reason = ? WHERE id = ?")
            .execute(arguments: [status.rawValue, reason, message.id])
        return try MessageRecord.fetch(db, id: message.id)
    }

    private static func rank(_ status: DeliveryStatus?) -> Int {
        switch status {
        case nil, .queued: return 0
        case .sent: return 1
        case .delivered: return 2
        case .read: return 3
        case .failed: return 4
        }
    }
}

/// What one claim took, and what it tells about the sends it left.
public struct SendClaim: Sendable {
    let sends: [DueSend]
    /// Whether the claim read every due send, so that `passedOver` names
    /// every instance that still has one waiting.
    public let readAll: Bool
    /// Instances whose due sends the claim left: skipped, or over their share.
    public let passedOver: Set<InstanceID>

    /// The instance of each send claimed, in order, without decoding them.
    public var instances: [InstanceID] { sends.map(\.instanceID) }

    /// The sends claimed, oldest first. Their content is decoded here, so
    /// read this after the claim's transaction, not in it.
    public var entries: [OutboxEntry] { sends.map(OutboxEntry.init) }
}
