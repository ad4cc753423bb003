/// How much one state may take. Every limit names itself in the error a script
/// gets when it hits it, so an author knows which one and where.
public struct LuaLimits: Sendable, Equatable {
    /// Bytes the state may hold while script code runs, values host functions
    /// return included. It also bounds the bytes one host call may copy out of
    /// the state (all its arguments together).
    public var memory: Int = 32 << 20
    /// VM instructions one call (one event) may execute, counted in steps of
    /// 1,000. Work library functions do in C is charged to it too: one unit per
    /// table element `table.concat/unpack/move` touch or `table.insert/remove`
    /// shift, per comparison of `table.sort`, per byte `load` or `require`
    /// compiles, per argument or result and per 64 bytes of the strings that
    /// string, utf8, math and conversion functions take or make, per 16 steps of
    /// the pattern matcher (find, match, gmatch, gsub), per 64 bytes a host
    /// function copies out; so a pattern that backtracks without end or a sort
    /// with a comparator written in C stops here like a loop does.
    public var instructionsPerCall: Int64 = 10_000_000
    /// Wall-clock time one call may take, as a backstop to the instruction
    /// count: a shared watchdog stops the call at its next VM instruction or
    /// charged C loop once it passes.
    public var timePerCall: Duration = .seconds(2)
    /// Largest string `string.rep` may build.
    public var stringRepBytes: Int = 1 << 20
    /// Largest subject given to find, match, gmatch and gsub.
    public var patternSubjectBytes: Int = 256 << 10
    /// Longest pattern.
    public var patternBytes: Int = 1_024
    /// Nesting depth when a value is copied out of Lua.
    public var valueDepth: Int = 32
    /// Entries (all tables together) when a value is copied out of Lua.
    public var valueEntries: Int = 100_000

    public init() {}
}
