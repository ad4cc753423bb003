import CRMCore

/// What the simulated network refuses, typed so the HTTP layer can answer
/// 404 or 409 (SPEC §12).
public enum SimNetworkError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The QR text is not an instance's current pairing code (never issued, or expired).
    case unknownPairingCode
    /// The phone is paired with another instance; nothing of that instance changed.
    case numberConnectedElsewhere(phone: String, instanceID: InstanceID)
    /// No connected instance has this number.
    case numberNotConnected(String)
    /// Fault injection: the network refuses this instance's connection attempts.
    case connectionRefused(InstanceID)

    public var description: String {
        switch self {
        case .unknownPairingCode:
            return "no instance shows this QR code: it is unknown or expired; scan the current one"
        case .numberConnectedElsewhere(let phone, let instance):
            return "number \(phone) is already connected on instance \(instance); log it out there first"
        case .numberNotConnected(let phone):
            return "number \(phone) is not connected on any instance"
        case .connectionRefused(let instance):
            return "the simulated network refused the connection of instance \(instance)"
        }
    }
}
