import CRMCore

/// An event's actions that `StoreTransaction.approve` found nothing to refuse
/// in; only `StoreTransaction.write` takes them.
public struct ApprovedActions {
    let actions: [ScriptAction]
    let instance: InstanceRecord
}
