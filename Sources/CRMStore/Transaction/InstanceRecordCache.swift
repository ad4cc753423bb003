import CRMCore
import Synchronization

/// Instance rows as the pipeline's transactions last read them, kept across
/// transactions. Each batch touches every busy instance; when batches are
/// small (a moderate rate, webhooks each waiting for their commit) reading
/// those rows again cost as much as storing the messages.
///
/// It stays true because every change to an existing instance goes through
/// `CRMStore.changingInstance`, which forgets the row inside the changing
/// transaction on the store's one writer: a pipeline
/// transaction, serialized with that writer, can only fill the cache from
/// before the change (and then the change forgets it) or after it.
final class InstanceRecordCache: Sendable {
    private let records = Mutex<[InstanceID: InstanceRecord]>([:])

    func record(_ id: InstanceID) -> InstanceRecord? { records.withLock { $0[id] } }

    func remember(_ record: InstanceRecord) { records.withLock { $0[record.id] = record } }

    func forget(_ id: InstanceID) {
        records.withLock { records in
            records[id] = nil
            records[id.lowercased()] = nil
        }
    }
}
