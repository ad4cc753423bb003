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
    /// The environment variable that names the master key's file, for a key
    /// kept away from the data folder (`serve --master-key` wins over it).
    public static let fileEnvironmentVariable = "CRM_MASTER_KEY_FILE"
    /// The master key's file name inside the data folder, when no other place is given.
    public static let keyFileName = "master.key"

    /// - Parameters:
    ///   - masterKey: 32 bytes.
    public init(masterKey: SymmetricKey) throws(CredentialError) {
        guard masterKey.bitCount == 256 else { throw CredentialError.masterKeyInvalid(source: "the given key", reason: "it must be 32 bytes") }
        key = masterKey
    }

    /// The host's vault: the key from `CRM_MASTER_KEY` when set, else from
    /// `keyFile`, else from the file `CRM_MASTER_KEY_FILE` names, else from
    /// `DATA/master.key`. A key file is created (mode 0600, 32 random bytes)
    /// on first use. Keeping it outside the data folder means a copy or
    /// backup of that folder holds no key to open the credentials in it.
    /// - Parameters:
    ///   - dataDirectory: The host's data folder; created when missing.
    ///   - keyFile: Where the key file is, if not in the data folder (`serve --master-key`).
    ///   - environment: Where to look for `CRM_MASTER_KEY` and `CRM_MASTER_KEY_FILE`.
    public static func load(dataDirectory: URL, keyFile: URL? = nil,
                            environment: [String: String] = ProcessInfo.processInfo.environment) throws(CredentialError) -> CredentialVault {
        if let encoded = environment[environmentVariable] {
            guard let bytes = Data(base64Encoded: encoded.trimmingCharacters(in: .whitespacesAndNewlines)), bytes.count == 32 else {
                throw CredentialError.masterKeyInvalid(source: environmentVariable, reason: "it must be the base64 of exactly 32 bytes")
            }
            return try CredentialVault(masterKey: SymmetricKey(data: bytes))
        }
        let file = keyFile ?? keyFilePath(environment: environment) ?? dataDirectory.appendingPathComponent(keyFileName)
        return try CredentialVault(masterKey: MasterKeyFile(url: file).readOrCreate())
    }

    private static func keyFilePath(environment: [String: String]) -> URL? {
        guard let path = environment[fileEnvironmentVariable], !path.isEmpty else { return nil }
        return URL(fileURLWithPath: path)
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
