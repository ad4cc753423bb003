import CRMCore
import Foundation
import Logging

/// The scripting host of the whole daemon: binds the folders of the scripts
/// directory to instances, keeps one runtime per instance, routes each event
/// to its instance's runtime, and reloads versions between events.
///
/// Events of one instance are serialised; different instances run in parallel.
public final class ScriptEngine: ScriptHost, @unchecked Sendable {
    public let directory: URL
    private let caps: ScriptCaps
    private let logger: Logger
    private let scriptLog: ScriptLogSink
    private let onProblem: @Sendable (ScriptProblem) -> Void
    /// Guards `slots`, `folders`, `reportedUnbound` and `watcher`.
    private let lock = NSLock()
    /// One rebinding or reload at a time; never held by an event.
    private let reloadLock = NSLock()
    private var slots: [InstanceID: InstanceSlot] = [:]
    private var folders: Set<String> = []
    private var reportedUnbound: Set<String> = []
    private var watcher: ScriptsWatcher?

    /// - Parameters:
    ///   - directory: the scripts folder (`--scripts`).
    ///   - caps: limits of every state and event.
    ///   - logger: where loads, failures and script log lines go.
    ///   - onProblem: told when a version fails to load, e.g. to publish it to the inbox.
    public init(directory: URL, caps: ScriptCaps = ScriptCaps(), logger: Logger = Logger(label: "crm.scripts"),
                onProblem: @escaping @Sendable (ScriptProblem) -> Void = { _ in }) {
        self.directory = directory
        self.caps = caps
        self.logger = logger
        self.onProblem = onProblem
        scriptLog = { [logger] entry in
            let metadata: Logger.Metadata = ["instance": .string(entry.instance)]
            switch entry.level {
            case .info: logger.info("\(entry.message)", metadata: metadata)
            case .warn: logger.warning("\(entry.message)", metadata: metadata)
            case .error: logger.error("\(entry.message)", metadata: metadata)
            }
        }
        folders = scanFolders()
    }

    deinit { watcher?.stop() }

    // MARK: Instances

    /// Tells the engine an instance exists or changed (created, renamed, paired
    /// with a number): it binds its folder and loads its bot.
    @discardableResult
    public func instanceAppeared(_ instance: InstanceInfo) -> ScriptStatus {
        let slot = self.slot(for: instance)
        return slot.status
    }

    /// Unloads the bot of an instance that was deleted.
    public func instanceRemoved(_ id: InstanceID) {
        reloadLock.withLock {
            guard let slot = lock.withLock({ slots.removeValue(forKey: id) }) else { return }
            slot.lock.withLock { slot.runtime = nil }
        }
    }

    // MARK: Events

    public func handle(_ event: ScriptEvent, context: ScriptContext) -> ScriptOutcome {
        let slot = self.slot(for: context.instance)
        return slot.lock.withLock {
            guard let runtime = slot.runtime else { return .none }
            let outcome = runtime.handle(event, context: context)
            if let failure = outcome.failure {
                slot.lastError = failure
                slot.lastErrorAt = Date()
            }
            return outcome
        }
    }

    // MARK: Status and reload

    /// Every known instance's bot, by instance name.
    public func statuses() -> [ScriptStatus] {
        lock.withLock { Array(slots.values) }.map(\.status).sorted { $0.instance.name < $1.instance.name }
    }

    /// Folders that match no known instance; they bind as soon as one appears.
    public func unboundFolders() -> [String] {
        lock.withLock { unbound() }.sorted()
    }

    /// Re-reads the scripts directory: binds new folders, unloads removed ones,
    /// and loads every version that changed on disk. Versions that fail keep
    /// the old one running.
    @discardableResult
    public func reload() -> [ScriptStatus] {
        reloadLock.withLock {
            let scanned = scanFolders()
            let all = lock.withLock {
                folders = scanned
                return Array(slots.values)
            }
            for slot in all { refresh(slot) }
            reportUnbound()
        }
        return statuses()
    }

    /// Starts reloading on every save under the directory.
    /// - Parameter debounce: quiet time after the last change before reloading.
    public func watch(debounce: Duration = .milliseconds(25)) throws(ScriptsWatcher.Failure) {
        guard lock.withLock({ self.watcher == nil }) else { return }
        let fresh = try ScriptsWatcher(directory: directory, debounce: debounce) { [weak self] in
            self?.reload()
        }
        lock.withLock { self.watcher = fresh }
        fresh.start()
    }

    /// Stops reloading on saves; `reload()` still works.
    public func stopWatching() {
        let watcher = lock.withLock { () -> ScriptsWatcher? in
            defer { self.watcher = nil }
            return self.watcher
        }
        watcher?.stop()
    }

    // MARK: Binding and loading

    private func slot(for instance: InstanceInfo) -> InstanceSlot {
        if let slot = lock.withLock({ slots[instance.id] }), slot.lock.withLock({ slot.info == instance }) {
            return slot
        }
        return reloadLock.withLock {
            let (slot, isNew) = lock.withLock { () -> (InstanceSlot, Bool) in
                if let slot = slots[instance.id] { return (slot, false) }
                let slot = InstanceSlot(info: instance)
                slots[instance.id] = slot
                return (slot, true)
            }
            let changed = slot.lock.withLock { () -> Bool in
                defer { slot.info = instance }
                return slot.info != instance
            }
            if isNew || changed {
                refresh(slot)
                reportUnbound()
            }
            return slot
        }
    }

    /// Brings one slot in line with the disk. Called with `reloadLock` held.
    private func refresh(_ slot: InstanceSlot) {
        let (info, current, failedVersion) = slot.lock.withLock { (slot.info, slot.folder, slot.failedVersion) }
        guard let folder = lock.withLock({ FolderBinding.folder(for: info, among: folders) }) else {
            if current != nil {
                slot.lock.withLock { slot.runtime = nil; slot.folder = nil; slot.failedVersion = nil }
                logger.info("bot unloaded: its folder is gone", metadata: ["instance": .string(info.name)])
            }
            return
        }
        let running = slot.lock.withLock { slot.folder == folder ? slot.runtime : nil }
        let sources = ScriptSources.read(directory: directory, folder: folder)
        if sources.version == running?.sources.version || sources.version == failedVersion { return }
        do {
            let runtime = try ScriptRuntime(sources: sources, instance: info, caps: caps, log: scriptLog)
            slot.lock.withLock {
                slot.runtime = runtime
                slot.folder = folder
                slot.failedVersion = nil
                slot.lastError = nil
                slot.lastErrorAt = nil
            }
            logger.info("bot loaded", metadata: ["instance": .string(info.name), "folder": .string(folder),
                                                 "version": .string(sources.version)])
        } catch {
            slot.lock.withLock {
                if slot.folder != folder { slot.runtime = nil }
                slot.folder = folder
                slot.failedVersion = sources.version
                slot.lastError = error
                slot.lastErrorAt = Date()
            }
            let problem = ScriptProblem(instance: info, folder: folder, failure: error, keptVersion: running?.sources.version)
            logger.error("bot failed to load: \(error)", metadata: [
                "instance": .string(info.name), "kept": .string(problem.keptVersion ?? "none"),
            ])
            onProblem(problem)
        }
    }

    private func unbound() -> Set<String> {
        let bound = Set(slots.values.compactMap { slot in slot.lock.withLock { slot.folder } })
        return folders.filter { !bound.contains($0) }
    }

    private func reportUnbound() {
        let fresh = lock.withLock { () -> Set<String> in
            let unbound = unbound()
            defer { reportedUnbound = unbound }
            return unbound.subtracting(reportedUnbound)
        }
        for folder in fresh.sorted() {
            logger.warning("scripts folder binds to no instance yet (name it after an instance or its number)",
                           metadata: ["folder": .string(folder)])
        }
    }

    private func scanFolders() -> Set<String> {
        let manager = FileManager.default
        let names = (try? manager.contentsOfDirectory(atPath: directory.path)) ?? []
        return Set(names.filter { name in
            var isDirectory: ObjCBool = false
            return FolderBinding.isBotFolder(name)
                && manager.fileExists(atPath: directory.appendingPathComponent(name).path, isDirectory: &isDirectory)
                && isDirectory.boolValue
        })
    }
}
