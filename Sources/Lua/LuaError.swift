/// What went wrong in a state, with where: the chunk (script file) and line.
public struct LuaError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// The code did not compile.
        case syntax
        /// The script raised an error.
        case runtime
        /// The state's memory limit was reached.
        case memoryLimit = "memory limit"
        /// The per-call instruction budget ran out.
        case instructionLimit = "instruction limit"
        /// The per-call time limit ran out.
        case timeLimit = "time limit"
        /// A value could not be copied between Swift and Lua.
        case conversion
        /// The state is busy with another call or already closed.
        case unavailable
    }

    public var kind: Kind
    /// The message without the position prefix.
    public var message: String
    /// The chunk name as the author knows it, e.g. `vendas/main.lua`.
    public var chunk: String?
    public var line: Int?
    public var traceback: String?

    public init(kind: Kind, message: String, chunk: String? = nil, line: Int? = nil, traceback: String? = nil) {
        self.kind = kind
        self.message = message
        self.chunk = chunk
        self.line = line
        self.traceback = traceback
    }

    /// `chunk:line: message`, the way Lua prints it.
    public var description: String {
        if let chunk, let line { return "\(chunk):\(line): \(message)" }
        if let chunk { return "\(chunk): \(message)" }
        return message
    }

    /// Splits Lua's `chunk:line: message` form; messages without it stay whole.
    static func parsing(kind: Kind, _ raw: String, traceback: String? = nil) -> LuaError {
        let parts = raw.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
        if parts.count == 3, let line = Int(parts[1]), !parts[0].isEmpty, !parts[0].contains("\n") {
            let message = parts[2].hasPrefix(" ") ? String(parts[2].dropFirst()) : String(parts[2])
            return LuaError(kind: kind, message: message, chunk: String(parts[0]), line: line, traceback: traceback)
        }
        return LuaError(kind: kind, message: raw, traceback: traceback)
    }
}
