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
    /// Guards `slots`, `binding`, `boundCount`, `reportedUnbound` and `watcher`.
    private let lock = NSLock()
    /// One rebinding or reload at a time; never held by an event.
    private let reloadLock = NSLock()
    private var slots: [InstanceID: InstanceSlot] = [:]
    private var binding = FolderBinding(folders: [])
    /// How many slots run each folder's bot, kept as slots bind and unbind, so
    /// that finding unbound folders never walks every slot.
    private var boundCount: [String: Int] = [:]
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
        binding = FolderBinding(folders: scanFolders())
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
            let folder = slot.lock.withLock { () -> String? in
                defer { slot.runtime = nil; slot.folder = nil }
                return slot.folder
            }
            noteBinding(from: folder, to: nil)
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
            let scanned = FolderBinding(folders: scanFolders())
            let all = lock.withLock {
                binding = scanned
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
            if isNew || changed { refresh(slot) }
            return slot
        }
    }

    /// Brings one slot in line with the disk and keeps the count of bound
    /// folders. Called with `reloadLock` held.
    private func refresh(_ slot: InstanceSlot) {
        let before = slot.lock.withLock { slot.folder }
        load(slot)
        let after = slot.lock.withLock { slot.folder }
        if before != after { noteBinding(from: before, to: after) }
    }

    /// A slot moved from one folder to another (either may be none): the one it
    /// left, when no other slot runs it, is reported as unbound.
    private func noteBinding(from old: String?, to new: String?) {
        let freed = lock.withLock { () -> String? in
            if let new {
                boundCount[new, default: 0] += 1
                reportedUnbound.remove(new)
            }
            guard let old, let count = boundCount[old] else { return nil }
            boundCount[old] = count > 1 ? count - 1 : nil
            guard count == 1, binding.names.contains(old), !reportedUnbound.contains(old) else { return nil }
            reportedUnbound.insert(old)
            return old
        }
        if let freed { warnUnbound(freed) }
    }

    /// Loads the version on disk into the slot, unless it runs it already.
    private func load(_ slot: InstanceSlot) {
        let (info, current, failedVersion) = slot.lock.withLock { (slot.info, slot.folder, slot.failedVersion) }
        guard let folder = lock.withLock({ binding.folder(for: info) }) else {
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
        binding.names.filter { boundCount[$0] == nil }
    }

    private func reportUnbound() {
        let fresh = lock.withLock { () -> Set<String> in
            let unbound = unbound()
            defer { reportedUnbound = unbound }
            return unbound.subtracting(reportedUnbound)
        }
        for folder in fresh.sorted() { warnUnbound(folder) }
    }

    private func warnUnbound(_ folder: String) {
        logger.warning("scripts folder binds to no instance yet (name it after an instance or its number)",
                       metadata: ["folder": .string(folder)])
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
