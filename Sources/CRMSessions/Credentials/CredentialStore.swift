import CRMCore
import Foundation

/// Where an instance's credentials live between runs (SPEC §2.1: one record per
/// instance; deleting the instance deletes it). Stores see only plaintext given
/// to them by the session; `CredentialFolder` encrypts at rest.
public protocol CredentialStore: Sendable {
    /// The instance's credentials, or nil when it has none (never paired, logged out).
    func load(for instance: InstanceID) throws(CredentialError) -> Data?
    func save(_ credentials: Data, for instance: InstanceID) throws(CredentialError)
    /// Removes them for good; erasing absent credentials is not an error.
    func erase(for instance: InstanceID) throws(CredentialError)
}

/// Credentials as one sealed file per instance, `DATA/credentials/<instance>.sealed`,
/// mode 0600, replaced atomically so a crash leaves the old or the new record.
public struct CredentialFolder: CredentialStore {
    public let directory: URL
    private let vault: CredentialVault

    /// - Parameters:
    ///   - directory: Created (mode 0700) when missing.
    public init(directory: URL, vault: CredentialVault) throws(CredentialError) {
        self.directory = directory
        self.vault = vault
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw CredentialError.storageFailed(instance: "*", reason: "cannot create \(directory.path): \(error)")
        }
    }

    public func load(for instance: InstanceID) throws(CredentialError) -> Data? {
        guard let sealed = FileManager.default.contents(atPath: try file(for: instance).path) else { return nil }
        return try vault.open(sealed, for: instance)
    }

    public func save(_ credentials: Data, for instance: InstanceID) throws(CredentialError) {
        let sealed = try vault.seal(credentials, for: instance)
        let target = try file(for: instance)
        let temporary = directory.appendingPathComponent(".\(instance).\(UUID().uuidString).tmp")
        let descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else {
            throw CredentialError.storageFailed(instance: instance, reason: String(cString: strerror(errno)))
        }
        let written = sealed.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        let synced = fsync(descriptor) == 0
        close(descriptor)
        guard written == sealed.count, synced, rename(temporary.path, target.path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary.path)
            throw CredentialError.storageFailed(instance: instance, reason: reason)
        }
    }

    public func erase(for instance: InstanceID) throws(CredentialError) {
        let path = try file(for: instance).path
        guard unlink(path) == 0 || errno == ENOENT else {
            throw CredentialError.storageFailed(instance: instance, reason: String(cString: strerror(errno)))
        }
    }

    /// Instance ids are UUIDs; anything that could climb out of the folder is refused.
    private func file(for instance: InstanceID) throws(CredentialError) -> URL {
        guard !instance.isEmpty, instance.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
            throw CredentialError.storageFailed(instance: instance, reason: "the instance id is not a valid file name")
        }
        return directory.appendingPathComponent("\(instance).sealed")
    }
}
