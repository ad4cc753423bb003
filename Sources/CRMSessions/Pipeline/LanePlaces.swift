import CRMCore
import Synchronization

/// The places in the outbox's lanes one pipeline transaction took, by
/// instance: given back if the transaction does not commit.
final class LanePlaces: Sendable {
    private let taken = Mutex<[InstanceID]>([])

    var instances: [InstanceID] { taken.withLock { $0 } }

    func add(_ instance: InstanceID) { taken.withLock { $0.append(instance) } }

    func add(contentsOf instances: [InstanceID]) { taken.withLock { $0 += instances } }
}
