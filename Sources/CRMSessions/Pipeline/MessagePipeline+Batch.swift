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
            counters.failedTransactions.add(1, ordering: .relaxed)
            guard batch.count > 1 else { return failed(batch[0], error) }
            logger.error("a batch's transaction failed; its events are tried one by one",
                         metadata: ["events": .stringConvertible(batch.count), "error": .string("\(error)")])
            for work in batch {
                let places = LanePlaces()
                do {
                    let result = try store.transactionNow { transaction in
                        try self.process([work], in: transaction, at: now, places: places)
                    }
                    finish([work], result)
                } catch {
                    outbox.abandon(places)
                    counters.failedTransactions.add(1, ordering: .relaxed)
                    failed(work, error)
                }
            }
        }
    }

    /// Work whose own transaction failed: a caller waiting for it is refused
    /// and delivers it again; anything else is handed in again later, after
    /// a delay that grows with its failures, until it commits. A timer keeps
    /// its place among the timers in flight meanwhile, so it is not taken twice.
    private func failed(_ work: PipelineWork, _ error: any Error) {
        let (work, failures) = work.unwrapped
        if work.hasWaitingSource {
            counters.refusedAfterFailure.add(1, ordering: .relaxed)
            logger.error("not stored; its source is told to deliver it again",
                         metadata: ["work": .string(work.summary), "error": .string("\(error)")])
            return work.reject(.storageFailed(String(describing: error)))
        }
        // The outbox asks for another claim by itself (`abandon`).
        if case .claimSends = work { return }
        counters.handedInAgain.add(1, ordering: .relaxed)
        let delay = min(configuration.commitRetryDelay * (1 << min(failures, 20)), configuration.maxCommitRetryDelay)
        logger.error("not committed; handed in again later",
                     metadata: ["work": .string(work.summary), "error": .string("\(error)"),
                                "failures": .stringConvertible(failures + 1), "delay": .stringConvertible(delay)])
        Task { [self] in
            try? await Task.sleep(for: delay)
            submit(.again(work, attempt: failures + 1))
        }
    }

    private func finish(_ batch: [PipelineWork], _ result: BatchResult) {
        for (index, work) in batch.enumerated() {
            switch work {
            case .inbound(let inbound):
                if let rejection = result.rejections[index] {
                    inbound.completion(.failure(rejection))
                } else if let id = result.acknowledgements[index] {
                    inbound.completion(.success(id))
                }
            case .receipt(let receipt):
                receipt.completion?(nil)
            default:
                continue
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
            switch work.unwrapped.work {
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
            case .receipt(let receipt):
                if let message = try transaction.recordReceipt(instance: receipt.instance,
                                                               providerMessageID: receipt.providerMessageID,
                                                               status: receipt.status, reason: receipt.reason) {
                    try statusChanged(message, key: receipt.providerMessageID, in: transaction, at: now, places: places,
                                      into: &result)
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
            case .claimSends, .again:
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
