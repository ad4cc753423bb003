import CRMCore

/// Why credentials could not be sealed, opened or kept, with what to fix.
public enum CredentialError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The master key from `source` (the environment variable or the key file) is unusable.
    case masterKeyInvalid(source: String, reason: String)
    case masterKeyUnwritable(path: String, reason: String)
    case cannotSeal(instance: InstanceID)
    /// Tampered, sealed for another instance, or sealed under another master key.
    case cannotOpen(instance: InstanceID)
    case storageFailed(instance: InstanceID, reason: String)

    public var description: String {
        switch self {
        case .masterKeyInvalid(let source, let reason):
            return "the master key from \(source) is invalid: \(reason)"
        case .masterKeyUnwritable(let path, let reason):
            return "cannot create the master key at \(path): \(reason); check the data folder's permissions"
        case .cannotSeal(let instance):
            return "cannot encrypt the credentials of instance \(instance)"
        case .cannotOpen(let instance):
            return "the credentials of instance \(instance) do not open: they were altered, belong to another instance, "
                + "or were sealed under another master key; log the instance out and pair it again"
        case .storageFailed(let instance, let reason):
            return "cannot store the credentials of instance \(instance): \(reason)"
        }
    }
}
