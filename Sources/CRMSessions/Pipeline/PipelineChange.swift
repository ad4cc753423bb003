import CRMCore
import CRMStore

/// What a committed batch changed, as plain values for live updates
/// (`/api/events`, the web inbox). Delivered after the commit, in order.
public enum PipelineChange: Sendable, Equatable {
    /// An inbound message stored, or a send queued (by a script or an operator).
    case messageStored(MessageRecord, companyID: Int64)
    /// A send's delivery status moved (sent, delivered, read, failed).
    case statusChanged(MessageRecord, companyID: Int64)
    /// A script failed on an event; its actions were not committed.
    case scriptFailed(InstanceID, event: String, ScriptFailure, companyID: Int64)
}
