import CRMCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Watches the scripts directory and every folder under it with inotify, and
/// calls `onChange` once a burst of saves has been quiet for `debounce`, with
/// the paths that changed, so that a save in one company's folder reloads only
/// that company's bots. Folders created later are watched as they appear.
public final class ScriptsWatcher: @unchecked Sendable {
    /// Why the directory cannot be watched.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    private let directory: URL
    private let debounce: Duration
    private let onChange: @Sendable (Set<String>) -> Void
    private let descriptor: Int32
    private let lock = NSLock()
    private var stopped = false
    /// Paths by watch descriptor; touched only by the watcher's thread after start.
    private var watched: [Int32: String] = [:]

    private static let mask: UInt32 = UInt32(IN_CLOSE_WRITE | IN_MODIFY | IN_CREATE | IN_DELETE | IN_MOVED_FROM
        | IN_MOVED_TO | IN_DELETE_SELF | IN_ATTRIB)

    /// - Parameters:
    ///   - directory: the scripts directory.
    ///   - debounce: quiet time after the last change before `onChange`.
    ///   - onChange: told the paths that changed, relative to `directory`; an
    ///     empty path stands for the directory itself or changes that were lost
    ///     (the kernel's queue overflowed), which may concern anything.
    public init(directory: URL, debounce: Duration, onChange: @escaping @Sendable (Set<String>) -> Void) throws(Failure) {
        self.directory = directory
        self.debounce = debounce
        self.onChange = onChange
        descriptor = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard descriptor >= 0 else { throw Failure(description: "cannot watch scripts: inotify_init1 failed (errno \(errno))") }
        guard addWatches(under: directory.path) else {
            close(descriptor)
            throw Failure(description: "cannot watch \(directory.path): is it a readable folder?")
        }
    }

    deinit {
        stop()
        close(descriptor)
    }

    public func start() {
        NamedThread.start("scripts-watcher") { [self] in run() }
    }

    /// Stops watching; a reload already started finishes.
    public func stop() {
        lock.withLock { stopped = true }
    }

    private var isStopped: Bool { lock.withLock { stopped } }

    private func run() {
        var pending: Set<String> = []
        var quietSince = DispatchTime.now()
        let debounceNanoseconds = UInt64(debounce.components.seconds) * 1_000_000_000
            + UInt64(debounce.components.attoseconds / 1_000_000_000)
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while !isStopped {
            var waitMilliseconds: Int32 = 100
            if !pending.isEmpty {
                let elapsed = DispatchTime.now().uptimeNanoseconds - quietSince.uptimeNanoseconds
                if elapsed >= debounceNanoseconds {
                    let changed = pending
                    pending = []
                    onChange(changed)
                    continue
                }
                waitMilliseconds = Int32(max(1, (debounceNanoseconds - elapsed) / 1_000_000))
            }
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, waitMilliseconds) > 0 else { continue }
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            guard count > 0 else { continue }
            let changed = handle(buffer: buffer, count: count)
            if !changed.isEmpty {
                pending.formUnion(changed)
                quietSince = DispatchTime.now()
            }
        }
    }

    /// Reads the events in the buffer; returns the paths they concern,
    /// relative to the directory.
    private func handle(buffer: [UInt8], count: Int) -> Set<String> {
        var changed: Set<String> = []
        var offset = 0
        let header = MemoryLayout<inotify_event>.size
        buffer.withUnsafeBytes { bytes in
            while offset + header <= count {
                let wd = bytes.load(fromByteOffset: offset, as: Int32.self)
                let mask = bytes.load(fromByteOffset: offset + 4, as: UInt32.self)
                let length = Int(bytes.load(fromByteOffset: offset + 12, as: UInt32.self))
                let nameBytes = bytes[(offset + header)..<min(offset + header + length, count)]
                let name = String(decoding: nameBytes.prefix { $0 != 0 }, as: UTF8.self)
                offset += header + length
                if mask & UInt32(IN_IGNORED) != 0 {
                    watched.removeValue(forKey: wd)
                    continue
                }
                guard let parent = watched[wd] else {
                    changed.insert("")
                    continue
                }
                let path = name.isEmpty ? parent : parent + "/" + name
                changed.insert(relative(path))
                if mask & UInt32(IN_ISDIR) != 0, mask & UInt32(IN_CREATE | IN_MOVED_TO) != 0 {
                    _ = addWatches(under: path)
                }
            }
        }
        return changed
    }

    /// `path` relative to the directory; empty for the directory itself.
    private func relative(_ path: String) -> String {
        let root = directory.path
        guard path.count > root.count, path.hasPrefix(root + "/") else { return "" }
        return String(path.dropFirst(root.count + 1))
    }

    @discardableResult
    private func addWatches(under path: String) -> Bool {
        let wd = inotify_add_watch(descriptor, path, ScriptsWatcher.mask)
        guard wd >= 0 else { return false }
        watched[wd] = path
        let manager = FileManager.default
        for name in (try? manager.contentsOfDirectory(atPath: path)) ?? [] where !name.hasPrefix(".") {
            var isDirectory: ObjCBool = false
            let child = path + "/" + name
            if manager.fileExists(atPath: child, isDirectory: &isDirectory), isDirectory.boolValue {
                addWatches(under: child)
            }
        }
        return true
    }
}
