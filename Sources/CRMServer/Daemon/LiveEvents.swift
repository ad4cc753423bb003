import CRMCore
import CRMScripting
import CRMSessions
import CRMStore
import Foundation

/// Turns what the pipeline committed into live inbox events and metrics.
enum LiveEvents {
    static func publish(_ changes: [PipelineChange], store: CRMStore, bus: EventBus, metrics: MetricsRegistry) {
        // Counted per batch: a series key per message (its labels' dictionary
        // built and hashed, the registry's lock taken) was 2 % of the writer.
        var stored: [MessageRecord.Direction: Int] = [:]
        defer {
            for (direction, count) in stored {
                metrics.increment(.init("crm_messages_total", ["direction": direction.rawValue]), by: Double(count))
            }
        }
        for change in changes {
            switch change {
            case .messageStored(let message, let company):
                stored[message.direction, default: 0] += 1
                guard bus.hasSubscribers(companyID: company) else { continue }
                bus.publish(type: "message", companyID: company, object: message.json)
                if let row = try? store.conversation(message.conversationID, company: company) {
                    bus.publish(type: "conversation", companyID: company, object: row.json)
                }
            case .statusChanged(let message, let company):
                metrics.increment(.init("crm_send_status_total", ["status": message.status?.rawValue ?? "unknown"]))
                if message.status == .sent {
                    metrics.observe(.init("crm_send_latency_seconds"), seconds: max(0, Date().timeIntervalSince(message.createdAt)))
                }
                bus.publish(type: "status", companyID: company, object: message.json)
            case .scriptFailed(let instance, let event, let failure, let company):
                metrics.increment(.init("crm_script_errors_total", ["instance": instance, "kind": failure.kind]))
                if failure.kind.hasSuffix("limit") {
                    metrics.increment(.init("crm_script_limit_hits_total", ["instance": instance, "limit": failure.kind]))
                }
                bus.publish(type: "script", companyID: company,
                            object: ScriptEventJSON(instance_id: instance, event: event,
                                                    error: ScriptErrorJSON(message: failure.message, file: failure.file,
                                                                           line: failure.line, at: Date())))
            }
        }
    }
}

/// A script failure as the live inbox sees it.
struct ScriptEventJSON: Encodable {
    let instance_id: String
    let event: String
    let error: ScriptErrorJSON
}

enum ScriptEvents {
    /// A version that failed to load: the owning company hears of it live.
    static func publishProblem(_ problem: ScriptProblem, store: CRMStore, bus: EventBus) {
        guard let record = try? store.instance(problem.instance.id) else { return }
        bus.publish(type: "script", companyID: record.companyID,
                    object: ScriptEventJSON(instance_id: record.id, event: "load",
                                            error: ScriptErrorJSON(message: problem.failure.message, file: problem.failure.file,
                                                                   line: problem.failure.line, at: Date())))
    }
}

enum Metrics {
    static func describe(_ metrics: MetricsRegistry) {
        metrics.describe("crm_messages_total", type: "counter", help: "Messages stored, by direction.")
        metrics.describe("crm_send_status_total", type: "counter", help: "Delivery status changes of sends.")
        metrics.describe("crm_send_latency_seconds", type: "histogram", help: "Queued to handed over to WhatsApp.")
        metrics.describe("crm_script_errors_total", type: "counter", help: "Events whose scripts failed, per instance.")
        metrics.describe("crm_script_limit_hits_total", type: "counter", help: "Script failures caused by a sandbox limit.")
        metrics.describe("crm_script_load_failures_total", type: "counter", help: "Script versions that failed to load.")
        metrics.describe("crm_outbox_depth", type: "gauge", help: "Sends waiting in the outbox.")
        metrics.describe("crm_instances", type: "gauge", help: "Instances by status.")
        // The writer is the pipeline's one serial stage: its CPU seconds per
        // second near 1 mean the host is at its capacity, whatever the rate.
        metrics.describe("crm_pipeline_writer_cpu_seconds_total", type: "counter",
                         help: "CPU time of the pipeline's writer thread.")
        metrics.describe("crm_pipeline_batches_total", type: "counter", help: "Transactions the pipeline has committed.")
        metrics.describe("crm_pipeline_failed_transactions_total", type: "counter",
                         help: "Pipeline transactions that did not commit (batches, and events then tried alone).")
        metrics.describe("crm_pipeline_refused_total", type: "counter",
                         help: "Messages and receipts refused to their source (503), by reason: storage or queue_full.")
        metrics.describe("crm_pipeline_handed_in_again_total", type: "counter",
                         help: "Send outcomes, receipts and timers whose transaction failed, handed in again.")
    }
}
