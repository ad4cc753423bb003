/// One part of the host that random inputs are thrown at.
///
/// An input is always bytes (a JSON text, a webhook body, an HTTP request, a
/// YAML file, a Lua script), so that a crash leaves a file that reproduces it
/// and libFuzzer can drive the same target. Mutations know the input's
/// structure: they change a JSON tree or a Lua statement, not only bytes.
public protocol FuzzTarget: AnyObject {
    /// The name `bin/fuzz` and the regression folder use.
    var name: String { get }
    /// Where mutation starts: valid, typical inputs.
    var seeds: [[UInt8]] { get }
    /// A new input derived from `input`; the same random state gives the same result.
    func mutate(_ input: [UInt8], using random: inout FuzzRandom) -> [UInt8]
    /// Runs one input and checks the target's invariants; a trap ends the process.
    /// - Returns: whether the input got past the first checks (parsed, loaded),
    ///   so the runner keeps it as a parent for later mutations.
    func run(_ input: [UInt8]) throws(FuzzFailure) -> Bool
    /// How long one input may run before the watchdog calls it a hang.
    var hangLimit: Duration { get }
}

/// An invariant an input broke, with what was expected.
public struct FuzzFailure: Error, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The targets by name, built on demand: some start a daemon.
public enum FuzzTargets {
    public static let names = ["json", "cloud", "http", "fixture", "lua"]

    /// - Parameters:
    ///   - name: one of `names`.
    ///   - deadlineMargin: how far past its deadline a Lua call may return.
    public static func make(_ name: String, deadlineMargin: Duration = .milliseconds(100)) throws -> any FuzzTarget {
        switch name {
        case "json": return JSONTarget()
        case "cloud": return try CloudTarget(host: FuzzHost.shared())
        case "http": return try HTTPTarget(host: FuzzHost.shared())
        case "fixture": return FixtureTarget()
        case "lua": return LuaTarget(margin: deadlineMargin)
        default: throw FuzzFailure("unknown fuzz target '\(name)' (one of \(names.joined(separator: ", ")))")
        }
    }
}
