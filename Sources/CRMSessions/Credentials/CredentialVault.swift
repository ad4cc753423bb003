import CRMCore
import Crypto
import Foundation

/// Seals an instance's credentials with AES-GCM under the host's master key.
/// The instance id is authenticated data: a blob copied to another instance, or
/// altered by one byte, does not open.
public struct CredentialVault: @unchecked Sendable {
    private let key: SymmetricKey

    /// The environment variable that, when set, holds the master key (base64 of 32 bytes).
    public static let environmentVariable = "CRM_MASTER_KEY"
    /// The master key's file name inside the data folder.
    public static let keyFileName = "master.key"

    /// - Parameters:
    ///   - masterKey: 32 bytes.
    public init(masterKey: SymmetricKey) throws(CredentialError) {
        guard masterKey.bitCount == 256 else { throw CredentialError.masterKeyInvalid(source: "the given key", reason: "it must be 32 bytes") }
        key = masterKey
    }

    /// The host's vault: the key from `CRM_MASTER_KEY` when set, else from
    /// `DATA/master.key`, which is created (mode 0600, 32 random bytes) on first use.
    /// - Parameters:
    ///   - dataDirectory: The host's data folder; created when missing.
    ///   - environment: Where to look for `CRM_MASTER_KEY`.
    public static func load(dataDirectory: URL,
                            environment: [String: String] = ProcessInfo.processInfo.environment) throws(CredentialError) -> CredentialVault {
        if let encoded = environment[environmentVariable] {
            guard let bytes = Data(base64Encoded: encoded.trimmingCharacters(in: .whitespacesAndNewlines)), bytes.count == 32 else {
                throw CredentialError.masterKeyInvalid(source: environmentVariable, reason: "it must be the base64 of exactly 32 bytes")
            }
            return try CredentialVault(masterKey: SymmetricKey(data: bytes))
        }
        let file = dataDirectory.appendingPathComponent(keyFileName)
        return try CredentialVault(masterKey: MasterKeyFile(url: file).readOrCreate())
    }

    /// Encrypts `credentials` for `instance`.
    public func seal(_ credentials: Data, for instance: InstanceID) throws(CredentialError) -> Data {
        let box: AES.GCM.SealedBox
        do {
            box = try AES.GCM.seal(credentials, using: key, authenticating: Data(instance.utf8))
        } catch {
            throw CredentialError.cannotSeal(instance: instance)
        }
        guard let combined = box.combined else { throw CredentialError.cannotSeal(instance: instance) }
        return combined
    }

    /// Decrypts what `seal` produced for the same instance under the same master key.
    public func open(_ sealed: Data, for instance: InstanceID) throws(CredentialError) -> Data {
        do {
            let box = try AES.GCM.SealedBox(combined: sealed)
            return try AES.GCM.open(box, using: key, authenticating: Data(instance.utf8))
        } catch {
            throw CredentialError.cannotOpen(instance: instance)
        }
    }
}
