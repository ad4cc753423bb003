import Crypto
import Foundation

/// `DATA/master.key`: 32 random bytes, readable by the host's user only.
struct MasterKeyFile {
    let url: URL

    func readOrCreate() throws(CredentialError) -> SymmetricKey {
        if let existing = FileManager.default.contents(atPath: url.path) {
            guard existing.count == 32 else {
                throw CredentialError.masterKeyInvalid(source: url.path, reason: "it holds \(existing.count) bytes instead of 32")
            }
            return SymmetricKey(data: existing)
        }
        let key = SymmetricKey(size: .bits256)
        try create(with: key)
        return key
    }

    /// Writes the key exclusively with mode 0600, so no other user can ever
    /// read it and two hosts starting at once cannot both create one.
    private func create(with key: SymmetricKey) throws(CredentialError) {
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        } catch {
            throw CredentialError.masterKeyUnwritable(path: url.path, reason: "\(error)")
        }
        let descriptor = open(url.path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else {
            throw CredentialError.masterKeyUnwritable(path: url.path, reason: String(cString: strerror(errno)))
        }
        defer { close(descriptor) }
        let written = key.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == 32, fsync(descriptor) == 0 else {
            unlink(url.path)
            throw CredentialError.masterKeyUnwritable(path: url.path, reason: String(cString: strerror(errno)))
        }
    }
}
