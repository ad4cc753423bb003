import CRMStore
import Foundation

/// The first start on an empty data folder: the company `default` and its key,
/// printed once and written to `DATA/admin.key` (mode 0600).
enum Bootstrap {
    static let company = "default"
    static let keyFile = "admin.key"

    /// Creates the default company and key when the store has no company yet.
    /// - Returns: lines for the start-up report.
    static func run(store: CRMStore, dataDirectory: URL, presetKey: String?) throws -> [String] {
        let keyPath = dataDirectory.appendingPathComponent(keyFile).path
        guard try store.companies().isEmpty else {
            return ["API key of the default company: \(keyPath)"]
        }
        let company = try store.createCompany(name: company)
        let key: String
        if let presetKey, !presetKey.isEmpty {
            key = try store.importAPIKey(presetKey, company: company.id, name: "bootstrap").plaintext
        } else {
            key = try store.createAPIKey(company: company.id, name: "bootstrap").plaintext
        }
        try writePrivate(key + "\n", to: keyPath)
        return ["created company \"default\"; its API key (shown once, also in \(keyPath)):", key]
    }

    /// Writes `text` readable by the owner only, replacing any old file.
    static func writePrivate(_ text: String, to path: String) throws {
        unlink(path)
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else { throw BootstrapError(path: path, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        let bytes = Array(text.utf8)
        guard write(descriptor, bytes, bytes.count) == bytes.count else {
            throw BootstrapError(path: path, reason: String(cString: strerror(errno)))
        }
    }
}

struct BootstrapError: Error, CustomStringConvertible {
    let path: String
    let reason: String
    var description: String { "cannot write \(path): \(reason)" }
}
