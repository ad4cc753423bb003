import CRMCore
import Foundation

/// One fixture file (`DIR/<folder>/tests/*.yaml`, SPEC §7): an instance, a
/// clock, and cases of events with what the scripts must have done.
struct FixtureFile: Sendable {
    /// The path shown in reports, relative to the scripts directory.
    var path: String
    /// The bot folder the file tests.
    var folder: String
    var instance: InstanceInfo
    var clock: Date?
    var cases: [FixtureCase]
}

struct FixtureCase: Sendable {
    var name: String
    var line: Int
    var clock: Date?
    /// kv entries stored before the first event.
    var kv: [String: JSONValue]
    var events: [FixtureEvent]
    var expect: FixtureExpectation
}

/// A step of a case, with its line in the file.
struct FixtureEvent: Sendable {
    enum Kind: Sendable {
        /// A contact (or a group member) writes.
        case message(contact: ContactIdentity, key: String, name: String?, text: String, id: String?,
                     group: GroupRef?, media: Media?)
        /// The clock moves on; timers falling due meanwhile fire in order.
        case advance(seconds: TimeInterval)
        /// A receipt for the last message sent to the contact.
        case status(contact: String, status: DeliveryStatus, reason: String?)
        case connection(ConnectionEvent)
        /// A timer fires now, as if set earlier.
        case timer(name: String, payload: JSONValue)
        /// A human operator replies to the contact (scripts are not run).
        case operatorReply(contact: String)
    }
    var kind: Kind
    var line: Int
}

/// What a case expects once its events have run.
struct FixtureExpectation: Sendable {
    struct Send: Sendable {
        var to: String?
        var text: TextMatcher?
        var media: String?
        var template: String?
        var line: Int
    }
    /// nil: sends are not checked unless other expectations say so; an empty list means none.
    var sends: [Send]?
    var sendsLine: Int
    /// Sends beyond the expected ones do not fail the case.
    var allowOtherSends = false
    var tags: [(contact: String, tags: [String], line: Int)] = []
    var assign: [(contact: String, queue: String?, line: Int)] = []
    var kv: [(key: String, value: JSONValue?, line: Int)] = []
    /// The case expects an event to fail with a message matching this.
    var error: TextMatcher?
    var errorLine = 0
}

/// Exact text, or `/regex/` (case-insensitive when written `/regex/i`).
struct TextMatcher: Sendable, CustomStringConvertible {
    let source: String
    private let pattern: String?
    private let ignoreCase: Bool

    init(_ source: String) {
        self.source = source
        if source.count >= 2, source.hasPrefix("/"), source.hasSuffix("/") {
            pattern = String(source.dropFirst().dropLast()); ignoreCase = false
        } else if source.count >= 3, source.hasPrefix("/"), source.hasSuffix("/i") {
            pattern = String(source.dropFirst().dropLast(2)); ignoreCase = true
        } else {
            pattern = nil; ignoreCase = false
        }
    }

    /// Whether the pattern compiles; exact texts always do.
    var isValid: Bool { pattern.map { (try? NSRegularExpression(pattern: $0)) != nil } ?? true }

    func matches(_ text: String?) -> Bool {
        guard let text else { return false }
        guard let pattern else { return text == source }
        let options: NSRegularExpression.Options = ignoreCase ? [.caseInsensitive] : []
        guard let regex = try? NSRegularExpression(pattern: pattern, options: options) else { return false }
        return regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    var description: String { pattern == nil ? "\"\(source)\"" : source }
}
