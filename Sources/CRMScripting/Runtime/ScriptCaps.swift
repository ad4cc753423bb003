import Lua

/// How much one event may ask of the world, and how much a script may take to
/// load. A handler that goes past a cap fails its event: nothing it asked for
/// is committed.
public struct ScriptCaps: Sendable, Equatable {
    /// Memory, instruction and time limits of the Lua state.
    public var lua = LuaLimits()
    /// Instructions `main.lua` (and what it requires) may run while loading.
    public var loadInstructions: Int64 = 50_000_000
    /// Messages one event may send.
    public var sendsPerEvent = 20
    /// Actions of any kind (sends, tags, kv writes, timers) one event may ask for.
    public var actionsPerEvent = 200
    /// Bytes of one message's text or caption (WhatsApp refuses more than 4,096 characters).
    public var textBytes = 4_096
    /// Bytes of one kv value or timer payload, as JSON.
    public var valueBytes = 64 << 10
    /// Bytes of a kv key, a tag, a queue or a timer name.
    public var nameBytes = 256
    /// Log lines one event (or the load) may write; the rest are dropped with a note.
    public var logLinesPerEvent = 100
    /// Bytes of JSON text `crm.json.decode` accepts.
    public var jsonTextBytes = 1 << 20
    /// Longest delay `crm.after` accepts.
    public var longestTimerDelay: Double = 90 * 24 * 3600

    public init() {}
}
