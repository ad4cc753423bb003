import CRMCore
import Foundation

/// Why a storage operation was refused, in words a user can act on.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The object does not exist, or belongs to another company (the same answer on purpose, SPEC §2.6).
    case notFound(kind: String, id: String)
    /// The phone number is connected on another instance (SPEC §2.4).
    case phoneNumberInUse(phoneNumber: String, instanceID: InstanceID, instanceName: String)
    /// A company of this name already exists.
    case companyExists(name: String)
    /// A value was not acceptable, e.g. an empty name.
    case invalid(field: String, reason: String)

    public var description: String {
        switch self {
        case .notFound(let kind, let id):
            return "\(kind) \(id) not found"
        case .phoneNumberInUse(let phone, let id, let name):
            return "phone number \(phone) is already connected on instance \(name) (\(id)); disconnect it there first"
        case .companyExists(let name):
            return "a company named \(name) already exists"
        case .invalid(let field, let reason):
            return "\(field): \(reason)"
        }
    }
}
