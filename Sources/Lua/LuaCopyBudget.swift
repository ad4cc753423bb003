/// What copying values out of a state may still take within one host call (all
/// its arguments together) or one call's results: entries, and bytes up to the
/// state's memory cap. Lua shares one string among any number of table slots,
/// so without a byte bound a few megabytes in the state could make the host
/// copy terabytes.
struct LuaCopyBudget {
    /// Bytes counted for each value copied besides a string's own bytes: what
    /// a `LuaValue` and its slot take in Swift, roughly.
    static let bytesPerValue = 16

    private(set) var entries: Int
    private(set) var bytes: Int
    /// Bytes taken so far, which the call is charged for.
    private(set) var bytesTaken = 0
    /// Whether the bytes ran out: the call then stops at the memory cap,
    /// whatever the host function made of the error.
    private(set) var isExhausted = false
    private let limits: LuaLimits

    init(limits: LuaLimits) {
        self.limits = limits
        entries = limits.valueEntries
        bytes = limits.memory
    }

    /// Takes one entry of a table (a key and its value).
    mutating func takeEntry() throws(LuaError) {
        entries -= 1
        guard entries >= 0 else {
            throw LuaError(kind: .conversion, message: "table has more than \(limits.valueEntries) entries")
        }
    }

    /// Takes the bytes of one value: `length` for a string, nothing else for others.
    mutating func takeValue(length: Int = 0) throws(LuaError) {
        let size = length + LuaCopyBudget.bytesPerValue
        guard !isExhausted, size <= bytes else {
            isExhausted = true
            throw LuaError(kind: .memoryLimit,
                           message: "values copied out of the script pass the memory limit (\(limits.memory >> 20) MiB per call)")
        }
        bytes -= size
        bytesTaken += size
    }

    /// Takes `count` entries at once, for the results of a call.
    mutating func takeEntries(_ count: Int) -> Bool {
        entries -= count
        return entries >= 0
    }
}
