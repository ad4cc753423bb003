import CRMCore

/// An event's actions that `StoreTransaction.approve` found nothing to refuse
/// in; only `StoreTransaction.write` takes them.
public struct ApprovedActions {
    let actions: [ScriptAction]
    let instance: InstanceRecord
}

/// What writing an event's actions queued.
public struct WrittenActions {
    /// Every send queued, for live updates.
    public var queued: [MessageRecord] = []
    /// The sends handed straight to their connectors' lanes, kept only by
    /// their message rows, for the lanes once the transaction commits.
    public var handedOver: [OutboxEntry] = []
}
