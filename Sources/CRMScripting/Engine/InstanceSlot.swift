import CRMCore
import Foundation

/// One instance's place in the engine: its running version and its status.
/// Its lock serialises the instance's events and the swap of versions, so a
/// swap always falls between two events.
final class InstanceSlot: @unchecked Sendable {
    let lock = NSLock()
    var info: InstanceInfo
    /// The company part of the directory that serves it; nil until its owner is known.
    var company: CompanyFolder?
    var folder: BotFolder?
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
            ScriptStatus(instance: info, company: company, folder: folder?.name, version: runtime?.sources.version, loadedAt: runtime?.loadedAt,
                         lastError: lastError, lastErrorAt: lastErrorAt)
        }
    }
}
