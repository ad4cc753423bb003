import Foundation

/// An instance (one WhatsApp number) is named by a UUID string.
public typealias InstanceID = String
/// Conversations and messages are rows with integer keys.
public typealias ConversationID = Int64
public typealias MessageRowID = Int64

/// The life of an instance's session (SPEC §3, §4).
public enum InstanceStatus: String, Sendable, Codable, CaseIterable {
    case disconnected = "DISCONNECTED"
    case connecting = "CONNECTING"
    case qr = "QR"
    case connected = "CONNECTED"
    case loggedOut = "LOGGED_OUT"
    case failed = "FAILED"
}

/// Who a contact is. A phone number is not an identity: WhatsApp usernames come
/// with a business-scoped user id and may hide the phone (SPEC §3).
public struct ContactIdentity: Hashable, Sendable, Codable {
    /// Digits only, when known.
    public var phone: String?
    /// Business-scoped user id (`BR.1502576394655843`) or a linked id, when known.
    public var userID: String?
    public var username: String?

    public init(phone: String? = nil, userID: String? = nil, username: String? = nil) {
        self.phone = phone.map(PhoneNumber.digits)
        self.userID = userID
        self.username = username
    }

    /// The conversation key: the phone digits when known, else the user id.
    public var contactID: String? { phone ?? userID }

    /// Where replies go: the phone when known, else the user id.
    public var replyAddress: String? { phone ?? userID }
}

public enum PhoneNumber {
    /// `+55 (11) 97777-0000` → `5511977770000`: the ASCII digits, in order.
    /// Every inbound message's contact goes through this; a text of digits
    /// alone, as Meta sends, is returned as it is.
    public static func digits(_ text: String) -> String {
        let isDigit = { (byte: UInt8) in (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
        if text.utf8.allSatisfy(isDigit) { return text }
        return String(decoding: text.utf8.filter(isDigit), as: UTF8.self)
    }
}

/// Instance ids as they arrive in paths and queries.
public enum InstanceIDText {
    /// Whether `text` is a UUID in its 8-4-4-4-12 hex form, either case.
    /// Checked on every webhook; Foundation's `UUID(uuidString:)` goes through `sscanf`.
    /// Inlinable so that callers get it specialized for their string type:
    /// the generic one walked a `Substring` through protocol witnesses.
    @inlinable
    public static func isWellFormed(_ text: some StringProtocol) -> Bool {
        var count = 0
        for byte in text.utf8 {
            switch count {
            case 8, 13, 18, 23: guard byte == UInt8(ascii: "-") else { return false }
            default:
                guard HexDigit.value(byte) != nil else { return false }
            }
            count += 1
            if count > 36 { return false }
        }
        return count == 36
    }

    /// The id in the lowercase form instances are stored under, or nil when
    /// `text` is not a well-formed one. Ids already lowercase, as this host
    /// writes them, are not copied through `lowercased()`.
    @inlinable
    public static func normalized(_ text: some StringProtocol) -> String? {
        guard isWellFormed(text) else { return nil }
        let hasUppercase = text.utf8.contains { (UInt8(ascii: "A")...UInt8(ascii: "F")).contains($0) }
        return hasUppercase ? text.lowercased() : String(text)
    }
}
