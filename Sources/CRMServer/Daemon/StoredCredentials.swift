import CRMCore
import CRMSessions
import CRMStore
import Foundation

/// Instance credentials as one encrypted record per instance in the database:
/// sealed with the master key, bound to the instance id, deleted with the
/// instance (SPEC §2.1).
struct StoredCredentials: CredentialStore {
    let store: CRMStore
    let vault: CredentialVault

    func load(for instance: InstanceID) throws(CredentialError) -> Data? {
        let sealed: Data?
        do { sealed = try store.credentials(for: instance) } catch {
            throw CredentialError.storageFailed(instance: instance, reason: "\(error)")
        }
        guard let sealed else { return nil }
        return try vault.open(sealed, for: instance)
    }

    func save(_ credentials: Data, for instance: InstanceID) throws(CredentialError) {
        let sealed = try vault.seal(credentials, for: instance)
        do { try store.putCredentials(sealed, for: instance) } catch {
            throw CredentialError.storageFailed(instance: instance, reason: "\(error)")
        }
    }

    func erase(for instance: InstanceID) throws(CredentialError) {
        do { try store.deleteCredentials(for: instance) } catch {
            throw CredentialError.storageFailed(instance: instance, reason: "\(error)")
        }
    }
}
