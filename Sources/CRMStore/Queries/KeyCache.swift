import Foundation
import Synchronization

/// Companies of recently seen API keys, by the key's hash, for one second.
/// Every API request authenticates, and a read transaction to look the key up
/// cost more than the inbox query it guards. A key revoked in this process is
/// dropped at once; one revoked by another process (a direct edit of the
/// database) stops working within `lifetime`.
final class KeyCache: Sendable {
    static let lifetime: TimeInterval = 1
    private static let capacity = 1_024

    private struct Entry { var company: CompanyRecord; var expires: Date }
    private let entries = Mutex<[String: Entry]>([:])

    func company(forHash hash: String, now: Date = Date()) -> CompanyRecord? {
        entries.withLock { entries in
            guard let entry = entries[hash] else { return nil }
            guard entry.expires > now else { entries[hash] = nil; return nil }
            return entry.company
        }
    }

    func remember(_ company: CompanyRecord, forHash hash: String, now: Date = Date()) {
        entries.withLock { entries in
            if entries.count >= KeyCache.capacity { entries.removeAll(keepingCapacity: true) }
            entries[hash] = Entry(company: company, expires: now.addingTimeInterval(KeyCache.lifetime))
        }
    }

    func forgetAll() { entries.withLock { $0.removeAll() } }
}
