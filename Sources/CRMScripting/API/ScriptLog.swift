/// A line a script wrote with `crm.log` (or `print`).
public struct ScriptLogEntry: Sendable, Equatable {
    public enum Level: String, Sendable { case info, warn, error }
    /// The instance's name, or the folder while it loads.
    public var instance: String
    public var level: Level
    public var message: String

    public init(instance: String, level: Level, message: String) {
        self.instance = instance; self.level = level; self.message = message
    }
}

/// Where script log lines go: the host's logger, or a fixture case's transcript.
public typealias ScriptLogSink = @Sendable (ScriptLogEntry) -> Void
