import Foundation

/// When a Cloud API message was sent, from its `timestamp`: whole seconds
/// since 1970, as text. The sender of a webhook chooses this text, and it
/// becomes the message's `created_at`, its conversation's place in the inbox
/// and the start of the 24-hour window; so only a real send time is kept.
/// One later than the webhook's arrival, before 1970, or not whole seconds at
/// all (`1e19`, `-100000000000`, `NaN`) is replaced by the arrival time.
enum CloudTimestamp {
    /// - Parameters:
    ///   - text: the message's `timestamp`, nil when absent.
    ///   - receivedAt: when the webhook arrived.
    static func sentAt(_ text: String?, receivedAt: Date) -> Date {
        guard let text, let seconds = Int64(text), seconds >= 0 else { return receivedAt }
        let sent = Date(timeIntervalSince1970: TimeInterval(seconds))
        return sent <= receivedAt ? sent : receivedAt
    }
}
