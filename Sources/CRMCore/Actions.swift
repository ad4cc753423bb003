import Foundation

/// What a script asked for while handling one event. The scripting host returns
/// these as plain values; the pipeline commits them with the event, all or
/// nothing. Every conversation named here was checked to belong to the
/// instance that ran the script.
public enum ScriptAction: Sendable, Equatable {
    case send(conversation: ConversationID, content: OutgoingContent)
    case tag(conversation: ConversationID, tag: String)
    case untag(conversation: ConversationID, tag: String)
    /// nil clears the assignment.
    case assign(conversation: ConversationID, queue: String?)
    /// nil deletes the key.
    case kvSet(key: String, value: JSONValue?)
    case timer(name: String, payload: JSONValue, dueAt: Date)
}

/// A message to send. Text, or media, or a template (Cloud API), optionally as a
/// reply to a message.
public struct OutgoingContent: Sendable, Equatable, Codable {
    public var text: String?
    public var media: Media?
    public var template: Template?
    public var replyTo: String?

    public init(text: String? = nil, media: Media? = nil, template: Template? = nil, replyTo: String? = nil) {
        self.text = text; self.media = media; self.template = template; self.replyTo = replyTo
    }

    public struct Template: Sendable, Equatable, Codable {
        public var name: String
        public var language: String
        public var parameters: [String]
        public init(name: String, language: String, parameters: [String]) {
            self.name = name; self.language = language; self.parameters = parameters
        }
    }
}

/// The result of running an instance's scripts on one event.
public struct ScriptOutcome: Sendable, Equatable {
    public var actions: [ScriptAction]
    /// Set when the event failed: then `actions` is empty.
    public var failure: ScriptFailure?

    public init(actions: [ScriptAction] = [], failure: ScriptFailure? = nil) {
        self.actions = failure == nil ? actions : []
        self.failure = failure
    }

    public static let none = ScriptOutcome()
}

/// Why an event's script run failed, with where, for the log, the API and the inbox.
public struct ScriptFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// runtime, syntax, memory limit, instruction limit, time limit, action limit…
    public var kind: String
    public var message: String
    public var file: String?
    public var line: Int?
    public var traceback: String?

    public init(kind: String, message: String, file: String? = nil, line: Int? = nil, traceback: String? = nil) {
        self.kind = kind; self.message = message; self.file = file; self.line = line; self.traceback = traceback
    }

    public var description: String {
        if let file, let line { return "\(file):\(line): \(message)" }
        if let file { return "\(file): \(message)" }
        return message
    }
}
