/// When a commit counts as done, and so when the pipeline acknowledges what
/// it committed (a webhook's 200, an inbound message's row id, a send's
/// "sent" mark that keeps it from being sent again).
public enum StoreDurability: String, Sendable, CaseIterable {
    /// The write-ahead log is synced to stable storage at every commit
    /// (`PRAGMA synchronous = FULL`): an acknowledged commit survives power
    /// loss and an operating-system crash. Group commit shares one sync
    /// among every event of a batch.
    case full
    /// The log is synced only at checkpoints (`synchronous = NORMAL`): a
    /// crash of the process loses nothing, but power loss or an operating-system
    /// crash can drop the last commits, already acknowledged (replies sent
    /// again, messages their sources will not deliver again). Only by choice:
    /// `serve --durability relaxed`.
    case relaxed

    /// The `PRAGMA synchronous` value that gives it.
    public var synchronousPragma: String {
        switch self {
        case .full: return "FULL"
        case .relaxed: return "NORMAL"
        }
    }
}
