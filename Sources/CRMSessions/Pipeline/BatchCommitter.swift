import CRMCore
import CRMStore
import Foundation

/// Handles one batch of work in one write transaction: stores events, runs
/// the instances' scripts on them, commits their actions with the events'
/// marks. Nothing is acknowledged here: `BatchOutcome` says what to release
/// once the transaction has committed.
struct BatchCommitter: Sendable {
    let scripts: any ScriptHost
    let retry: RetryPolicy

    func process(_ batch: [PipelineWork], in transaction: EventTransaction, now: Date) throws -> BatchOutcome {
        var outcome = BatchOutcome()
        for work in batch {
            switch work {
            case .inbound(let message, let acknowledgement):
                do {
                    let recording = try transaction.recordInbound(message)
                    if case .stored(let event, _) = recording, let instance = try transaction.instance(message.instanceID) {
                        outcome.newSends += try runScripts(.message(event), instance: instance, in: transaction, now: now)
                    }
                    outcome.acknowledgements.append((acknowledgement, .success(())))
                } catch let rejection as InboundRejection {
                    outcome.acknowledgements.append((acknowledgement, .failure(rejection)))
                }
            case .receipt(let instanceID, let providerMessageID, let status, let reason):
                if let update = try transaction.recordReceipt(instanceID: instanceID, providerMessageID: providerMessageID,
                                                              status: status, reason: reason, now: now) {
                    outcome.newSends += try runStatusScripts(update, in: transaction, now: now)
                }
            case .connection(let instanceID, let event):
                if let instance = try transaction.instance(instanceID) {
                    outcome.newSends += try runScripts(.connection(event), instance: instance, in: transaction, now: now)
                }
            case .timer(let id, let instanceID):
                outcome.settledTimers.append(id)
                if let timer = try transaction.takeTimer(id: id), let instance = try transaction.instance(instanceID) {
                    outcome.newSends += try runScripts(.timer(timer.event), instance: instance, in: transaction, now: now)
                }
            case .apiSend(let conversation, let instanceID, let content, let acknowledgement):
                do {
                    let send = try transaction.allOrNothing {
                        try transaction.enqueueSend(conversationID: conversation, instanceID: instanceID, content: content, now: now)
                    }
                    outcome.newSends.append(send)
                    outcome.sendAcknowledgements.append((acknowledgement, .success(send)))
                } catch let refusal as ActionRefusal {
                    outcome.sendAcknowledgements.append((acknowledgement, .failure(refusal)))
                }
            case .sendAccepted(let outboxID, _, let providerMessageID):
                outcome.settledSends.append(outboxID)
                if let update = try transaction.recordSendAccepted(outboxID: outboxID, providerMessageID: providerMessageID, now: now) {
                    outcome.newSends += try runStatusScripts(update, in: transaction, now: now)
                }
            case .sendFailed(let outboxID, _, let reason, let retryAt):
                outcome.settledSends.append(outboxID)
                if let retryAt {
                    try transaction.rescheduleSend(outboxID: outboxID, reason: reason, retryAt: retryAt)
                } else if let update = try transaction.recordSendFailed(outboxID: outboxID, reason: reason, now: now) {
                    outcome.newSends += try runStatusScripts(update, in: transaction, now: now)
                }
            }
        }
        try transaction.finish(at: now)
        return outcome
    }

    private func runStatusScripts(_ update: DeliveryUpdate, in transaction: EventTransaction, now: Date) throws -> [OutboxRecord] {
        guard let instance = try transaction.instance(update.instanceID) else { return [] }
        return try runScripts(.status(update.event), instance: instance, in: transaction, now: now)
    }

    /// Runs the instance's scripts on one event and commits their actions, all
    /// or nothing. A failed script or a refused action is recorded as a script
    /// error; the event itself stays processed.
    private func runScripts(_ event: ScriptEvent, instance: InstanceRecord, in transaction: EventTransaction,
                            now: Date) throws -> [OutboxRecord] {
        let result = scripts.handle(event, context: transaction.scriptContext(for: instance, now: now))
        if let failure = result.failure {
            transaction.countScriptRun(instanceID: instance.id, event: event.name, failed: true)
            try transaction.recordScriptFailure(instanceID: instance.id, event: event.name, failure: failure, at: now)
            return []
        }
        do {
            let sends = try transaction.apply(result.actions, instance: instance, now: now)
            transaction.countScriptRun(instanceID: instance.id, event: event.name, failed: false)
            return sends
        } catch let refusal as ActionRefusal {
            transaction.countScriptRun(instanceID: instance.id, event: event.name, failed: true)
            try transaction.recordScriptFailure(instanceID: instance.id, event: event.name,
                                                failure: ScriptFailure(kind: "action", message: refusal.description), at: now)
            return []
        }
    }
}

/// What a committed batch releases: callers to acknowledge, sends to hand to
/// the outbox worker, sends and timers no longer in flight.
struct BatchOutcome: Sendable {
    var acknowledgements: [(Acknowledgement, Result<Void, any Error>)] = []
    var sendAcknowledgements: [(SendAcknowledgement, Result<OutboxRecord, any Error>)] = []
    var newSends: [OutboxRecord] = []
    var settledSends: [Int64] = []
    var settledTimers: [Int64] = []
}
