import CRMCore
import Foundation

/// One instance's place in the engine: its running version and its status.
/// Its lock serialises the instance's events and the swap of versions, so a
/// swap always falls between two events.
final class InstanceSlot: @unchecked Sendable {
    let lock = NSLock()
    var info: InstanceInfo
    var folder: String?
    var runtime: ScriptRuntime?
    /// The version on disk that failed to load, so it is reported once.
    var failedVersion: String?
    var lastError: ScriptFailure?
    var lastErrorAt: Date?

    init(info: InstanceInfo) {
        self.info = info
    }

    var status: ScriptStatus {
        lock.withLock {
            ScriptStatus(instance: info, folder: folder, version: runtime?.sources.version, loadedAt: runtime?.loadedAt,
                         lastError: lastError, lastErrorAt: lastErrorAt)
        }
    }
}
