import CRMCore
import CRMStore
import Foundation

extension MessagePipeline {
    /// Commits a batch in one transaction, then acknowledges its callers. When
    /// the transaction fails as a whole, each event is retried alone so that one
    /// bad event fails only its own caller.
    func commit(_ batch: [PipelineWork]) {
        let now = Date()
        let places = LanePlaces()
        do {
            let result = try store.transactionNow { transaction in
                try self.process(batch, in: transaction, at: now, places: places)
            }
            finish(batch, result)
        } catch {
            outbox.abandon(places)
            for work in batch {
                let places = LanePlaces()
                do {
                    let result = try store.transactionNow { transaction in
                        try self.process([work], in: transaction, at: now, places: places)
                    }
                    finish([work], result)
                } catch {
                    outbox.abandon(places)
                    work.reject(error)
                }
            }
        }
    }

    private func finish(_ batch: [PipelineWork], _ result: BatchResult) {
        for (index, work) in batch.enumerated() {
            guard case .inbound(let inbound) = work else { continue }
            if let rejection = result.rejections[index] {
                inbound.completion(.failure(rejection))
            } else if let id = result.acknowledgements[index] {
                inbound.completion(.success(id))
            }
        }
        outbox.handOver(result.handedOver + (result.claim?.entries ?? []), pipeline: self)
        if !result.changes.isEmpty { onCommitted(result.changes) }
        timers.finished(result.timersTaken, scheduledMore: result.timersScheduled)
    }

    /// Runs inside the write transaction: each event, its scripts, their
    /// actions; then, when the outbox wants one, a claim of waiting sends.
    private func process(_ batch: [PipelineWork], in transaction: StoreTransaction, at now: Date,
                         places: LanePlaces) throws -> BatchResult {
        var result = BatchResult()
        // About one change and one acknowledgement per event: grown one append at a time,
        // the changes (a stored message each) were copied over and over as the batch filled.
        result.changes.reserveCapacity(batch.count)
        result.acknowledgements.reserveCapacity(batch.count)
        for (index, work) in batch.enumerated() {
            var acknowledgement: MessageRowID?
            switch work {
            case .inbound(let inbound):
                do {
                    acknowledgement = try ingest(inbound.message, in: transaction, at: now, places: places, into: &result)
                } catch let error as StoreError {
                    guard let rejection = InboundRejection(error) else { throw error }
                    result.rejections[index] = rejection
                }
            case .sendOutcome(let entry, let outcome):
                if case .retry(_, let retryAt) = outcome { outbox.retryQueued(entry.instanceID, due: retryAt) }
                if let message = try transaction.recordSend(entry, outcome: outcome, at: now) {
                    try statusChanged(message, key: entry.message.idempotencyKey, in: transaction, at: now, places: places,
                                      into: &result)
                }
            case .receipt(let instance, let providerID, let status, let reason):
                if let message = try transaction.recordReceipt(instance: instance, providerMessageID: providerID,
                                                               status: status, reason: reason) {
                    try statusChanged(message, key: providerID, in: transaction, at: now, places: places, into: &result)
                }
            case .timer(let timer):
                result.timersTaken.append(timer.id)
                if let taken = try transaction.takeTimer(timer.id), let instance = try transaction.instance(taken.instanceID) {
                    try runScripts(.timer(taken.event), instance: instance, in: transaction, at: now, places: places,
                                   into: &result)
                }
            case .connection(let id, let event):
                if let instance = try transaction.instance(id) {
                    try runScripts(.connection(event), instance: instance, in: transaction, at: now, places: places,
                                   into: &result)
                }
            case .claimSends:
                break
            }
            result.acknowledgements.append(acknowledgement)
        }
        if outbox.claimDue { result.claim = try outbox.claim(in: transaction, at: now, into: places) }
        return result
    }

    private func ingest(_ message: InboundMessage, in transaction: StoreTransaction, at now: Date, places: LanePlaces,
                        into result: inout BatchResult) throws -> MessageRowID {
        switch try transaction.ingest(message) {
        case .duplicate(let id):
            return id
        case .stored(let stored, let company):
            result.changes.append(.messageStored(stored, companyID: company))
            let event = MessageEvent(whatsappID: message.whatsappID, conversation: stored.conversationID,
                                     contact: message.contact, name: message.contactName ?? message.senderName,
                                     text: message.text, group: message.group, sender: message.sender?.contactID,
                                     media: message.media, at: message.at)
            let instance = try transaction.instance(message.instanceID)!
            try runScripts(.message(event), instance: instance, in: transaction, at: now, places: places, into: &result)
            return stored.id
        }
    }

    private func statusChanged(_ message: MessageRecord, key: String, in transaction: StoreTransaction, at now: Date,
                               places: LanePlaces, into result: inout BatchResult) throws {
        guard let instance = try transaction.instance(message.instanceID), let status = message.status else { return }
        result.changes.append(.statusChanged(message, companyID: instance.companyID))
        let event = StatusEvent(messageID: message.whatsappID ?? key, conversation: message.conversationID,
                                status: status, reason: message.reason, at: now)
        try runScripts(.status(event), instance: instance, in: transaction, at: now, places: places, into: &result)
    }

    /// Runs the instance's scripts and commits their actions, or — when the
    /// script failed or asked for something refused — records the error and
    /// commits none of them. Refusals are all found before the first write;
    /// an error while writing fails the whole transaction, and `commit` then
    /// retries each event alone.
    private func runScripts(_ event: ScriptEvent, instance: InstanceRecord, in transaction: StoreTransaction,
                            at now: Date, places: LanePlaces, into result: inout BatchResult) throws {
        let outcome = scripts.handle(event, context: transaction.scriptContext(for: instance, now: now))
        var failure = outcome.failure
        var approved: ApprovedActions?
        if failure == nil, !outcome.actions.isEmpty {
            do {
                approved = try transaction.approve(outcome.actions, instance: instance)
            } catch let refused as StoreError {
                failure = ScriptFailure(kind: "action", message: refused.description)
            }
        }
        if let approved {
            let written = try transaction.write(approved, at: now) { self.outbox.reserve($0, at: now, into: places) }
            result.changes += written.queued.map { .messageStored($0, companyID: instance.companyID) }
            result.handedOver += written.handedOver
            result.timersScheduled = result.timersScheduled || outcome.actions.contains { action in
                if case .timer = action { return true } else { return false }
            }
        }
        if let failure {
            try transaction.recordScriptError(failure, instance: instance.id, event: event.name, at: now)
            result.changes.append(.scriptFailed(instance.id, event: event.name, failure, companyID: instance.companyID))
        }
    }
}
