import CRMCore
import Foundation
import Logging

/// The scripting host of the whole daemon: binds the folders of the scripts
/// directory to instances, keeps one runtime per instance, routes each event
/// to its instance's runtime, and reloads versions between events.
///
/// Each company has its own part of the directory (`CompanyFolder`): an
/// instance is bound only to a folder of its own company's part, and a reload
/// asked by one company touches only that company's bots.
///
/// Events of one instance are serialised; different instances run in parallel.
public final class ScriptEngine: ScriptHost, @unchecked Sendable {
    public let directory: URL
    private let caps: ScriptCaps
    private let logger: Logger
    private let scriptLog: ScriptLogSink
    private let onProblem: @Sendable (ScriptProblem) -> Void
    private let companyFolder: @Sendable (InstanceInfo) -> CompanyFolder?
    /// Guards `slots`, `bindings`, `boundCount`, `reportedUnbound` and `watcher`.
    private let lock = NSLock()
    /// One rebinding or reload at a time; never held by an event.
    private let reloadLock = NSLock()
    private var slots: [InstanceID: InstanceSlot] = [:]
    /// The bot folders of each company that has a folder on disk.
    private var bindings: [CompanyFolder: FolderBinding] = [:]
    /// How many slots run each folder's bot, kept as slots bind and unbind, so
    /// that finding unbound folders never walks every slot.
    private var boundCount: [BotFolder: Int] = [:]
    private var reportedUnbound: Set<BotFolder> = []
    private var watcher: ScriptsWatcher?

    /// - Parameters:
    ///   - directory: the scripts folder (`--scripts`).
    ///   - caps: limits of every state and event.
    ///   - logger: where loads, failures and script log lines go.
    ///   - companyFolder: the part of the directory that serves an instance: its
    ///     company's, found through who owns it, never through its name; nil
    ///     when its company may run no bots. Without it every instance is of
    ///     the company `default`, as on a host with one company.
    ///   - onProblem: told when a version fails to load, e.g. to publish it to the inbox.
    public init(directory: URL, caps: ScriptCaps = ScriptCaps(), logger: Logger = Logger(label: "crm.scripts"),
                companyFolder: @escaping @Sendable (InstanceInfo) -> CompanyFolder? = { _ in .default },
                onProblem: @escaping @Sendable (ScriptProblem) -> Void = { _ in }) {
        self.directory = directory
        self.caps = caps
        self.logger = logger
        self.companyFolder = companyFolder
        self.onProblem = onProblem
        scriptLog = { [logger] entry in
            let metadata: Logger.Metadata = ["instance": .string(entry.instance)]
            switch entry.level {
            case .info: logger.info("\(entry.message)", metadata: metadata)
            case .warn: logger.warning("\(entry.message)", metadata: metadata)
            case .error: logger.error("\(entry.message)", metadata: metadata)
            }
        }
        bindings = scanAllCompanies()
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
            let folder = slot.lock.withLock { () -> BotFolder? in
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

    /// Every known instance's bot, by instance name. Of every company: an
    /// answer to one company keeps only its own instances.
    public func statuses() -> [ScriptStatus] {
        lock.withLock { Array(slots.values) }.map(\.status).sorted { $0.instance.name < $1.instance.name }
    }

    /// Folders that match no known instance of their company, relative to the
    /// directory (`vendas`, `companies/beta/suporte`); they bind as soon as one appears.
    public func unboundFolders() -> [String] {
        lock.withLock { unbound() }.map(\.path).sorted()
    }

    /// Re-reads the whole scripts directory: binds new folders, unloads removed
    /// ones, and loads every version that changed on disk. Versions that fail
    /// keep the old one running.
    @discardableResult
    public func reload() -> [ScriptStatus] {
        reload(nil)
        return statuses()
    }

    /// Re-reads one company's part of the directory and reloads only its bots,
    /// as `reload()` does for all.
    /// - Returns: the company's bots.
    @discardableResult
    public func reload(company: CompanyFolder) -> [ScriptStatus] {
        reload([company])
        return statuses().filter { $0.company == company }
    }

    /// Starts reloading on every save under the directory: a save in one
    /// company's part reloads that company's bots only.
    /// - Parameter debounce: quiet time after the last change before reloading.
    public func watch(debounce: Duration = .milliseconds(25)) throws(ScriptsWatcher.Failure) {
        guard lock.withLock({ self.watcher == nil }) else { return }
        let fresh = try ScriptsWatcher(directory: directory, debounce: debounce) { [weak self] paths in
            self?.reload(changed: paths)
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

    // MARK: Reloading

    /// Reloads the companies a burst of saves concerns.
    private func reload(changed paths: Set<String>) {
        var companies: Set<CompanyFolder> = []
        for path in paths {
            switch CompanyFolder.owner(ofPath: path) {
            case .company(let company): companies.insert(company)
            case .everyone: return reload(nil)
            case .nobody: continue
            }
        }
        if !companies.isEmpty { reload(companies) }
    }

    /// Rescans the parts of `companies` (every part when nil) and brings their
    /// slots in line with the disk. A full reload also retries slots whose
    /// company was not known yet.
    private func reload(_ companies: Set<CompanyFolder>?) {
        reloadLock.withLock {
            let scanned = companies.map { companies in
                Dictionary(uniqueKeysWithValues: companies.map { ($0, scanFolders(of: $0)) })
            } ?? scanAllCompanies()
            let concerned = lock.withLock { () -> [InstanceSlot] in
                if let companies {
                    for company in companies { bindings[company] = scanned[company] }
                } else {
                    bindings = scanned
                }
                return Array(slots.values)
            }.filter { slot in
                guard let companies else { return true }
                return slot.lock.withLock { slot.company.map(companies.contains) ?? false }
            }
            for slot in concerned { refresh(slot) }
            reportUnbound()
        }
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
        let (info, known) = slot.lock.withLock { (slot.info, slot.company) }
        if known == nil, let company = companyFolder(info) {
            slot.lock.withLock { slot.company = company }
        }
        let before = slot.lock.withLock { slot.folder }
        load(slot)
        let after = slot.lock.withLock { slot.folder }
        if before != after { noteBinding(from: before, to: after) }
    }

    /// A slot moved from one folder to another (either may be none): the one it
    /// left, when no other slot runs it, is reported as unbound.
    private func noteBinding(from old: BotFolder?, to new: BotFolder?) {
        let freed = lock.withLock { () -> BotFolder? in
            if let new {
                boundCount[new, default: 0] += 1
                reportedUnbound.remove(new)
            }
            guard let old, let count = boundCount[old] else { return nil }
            boundCount[old] = count > 1 ? count - 1 : nil
            guard count == 1, bindings[old.company]?.names.contains(old.name) == true,
                  !reportedUnbound.contains(old) else { return nil }
            reportedUnbound.insert(old)
            return old
        }
        if let freed { warnUnbound(freed) }
    }

    /// Loads the version on disk into the slot, unless it runs it already.
    private func load(_ slot: InstanceSlot) {
        let (info, company, current, failedVersion) = slot.lock.withLock {
            (slot.info, slot.company, slot.folder, slot.failedVersion)
        }
        guard let company, let name = lock.withLock({ bindings[company]?.folder(for: info) }) else {
            if current != nil {
                slot.lock.withLock { slot.runtime = nil; slot.folder = nil; slot.failedVersion = nil }
                logger.info("bot unloaded: its folder is gone", metadata: ["instance": .string(info.name)])
            }
            return
        }
        let folder = BotFolder(company: company, name: name)
        let running = slot.lock.withLock { slot.folder == folder ? slot.runtime : nil }
        let sources = ScriptSources.read(directory: company.url(in: directory), folder: name)
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
            logger.info("bot loaded", metadata: ["instance": .string(info.name), "folder": .string(folder.path),
                                                 "version": .string(sources.version)])
        } catch {
            slot.lock.withLock {
                if slot.folder != folder { slot.runtime = nil }
                slot.folder = folder
                slot.failedVersion = sources.version
                slot.lastError = error
                slot.lastErrorAt = Date()
            }
            let problem = ScriptProblem(instance: info, folder: name, failure: error, keptVersion: running?.sources.version)
            logger.error("bot failed to load: \(error)", metadata: [
                "instance": .string(info.name), "folder": .string(folder.path),
                "kept": .string(problem.keptVersion ?? "none"),
            ])
            onProblem(problem)
        }
    }

    private func unbound() -> Set<BotFolder> {
        var unbound: Set<BotFolder> = []
        for (company, binding) in bindings {
            for name in binding.names where boundCount[BotFolder(company: company, name: name)] == nil {
                unbound.insert(BotFolder(company: company, name: name))
            }
        }
        return unbound
    }

    private func reportUnbound() {
        let fresh = lock.withLock { () -> Set<BotFolder> in
            let unbound = unbound()
            defer { reportedUnbound = unbound }
            return unbound.subtracting(reportedUnbound)
        }
        for folder in fresh.sorted(by: { $0.path < $1.path }) { warnUnbound(folder) }
    }

    private func warnUnbound(_ folder: BotFolder) {
        logger.warning("scripts folder binds to no instance of its company yet (name it after an instance or its number)",
                       metadata: ["folder": .string(folder.path), "company": .string(folder.company.company)])
    }

    /// The bot folders of every company with a part on disk: `default` at the
    /// top, and each folder under `companies/` whose name a company may have.
    private func scanAllCompanies() -> [CompanyFolder: FolderBinding] {
        var all: [CompanyFolder: FolderBinding] = [.default: scanFolders(of: .default)]
        let companies = directory.appendingPathComponent(CompanyFolder.companiesFolder, isDirectory: true)
        for name in Self.subfolders(of: companies) {
            guard let company = CompanyFolder(company: name), company != .default else { continue }
            all[company] = scanFolders(of: company)
        }
        return all
    }

    private func scanFolders(of company: CompanyFolder) -> FolderBinding {
        FolderBinding(folders: Self.subfolders(of: company.url(in: directory)).filter(company.isBotFolder))
    }

    private static func subfolders(of folder: URL) -> Set<String> {
        let manager = FileManager.default
        let names = (try? manager.contentsOfDirectory(atPath: folder.path)) ?? []
        return Set(names.filter { name in
            var isDirectory: ObjCBool = false
            return manager.fileExists(atPath: folder.appendingPathComponent(name).path, isDirectory: &isDirectory)
                && isDirectory.boolValue
        })
    }
}
