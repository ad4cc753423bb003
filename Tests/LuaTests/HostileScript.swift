import Foundation
import Lua
import XCTest

/// A script of `Hostile/` with what it must end with, read from its header:
/// `-- kind: <LuaError.Kind>`, `-- message: <part of the message>`, and the
/// line the error must point at, marked `--< here` in the script itself.
struct HostileScript {
    let name: String
    let code: String
    let kind: LuaError.Kind
    let message: String
    let line: Int?

    var chunk: String { "hostile/\(name).lua" }

    init(named name: String) throws {
        let url = try XCTUnwrap(Bundle.module.url(forResource: name, withExtension: "lua", subdirectory: "Hostile"),
                                "no Hostile/\(name).lua")
        self.name = name
        code = try String(contentsOf: url, encoding: .utf8)
        let lines = code.split(separator: "\n", omittingEmptySubsequences: false)
        func header(_ key: String) throws -> String {
            let prefix = "-- \(key): "
            let line = try XCTUnwrap(lines.first { $0.hasPrefix(prefix) }, "\(name).lua has no '\(prefix)' line")
            return String(line.dropFirst(prefix.count))
        }
        kind = try XCTUnwrap(LuaError.Kind(rawValue: try header("kind")), "\(name).lua: unknown kind")
        message = try header("message")
        line = lines.firstIndex { $0.hasSuffix("--< here") }.map { $0 + 1 }
    }

    /// The limits hostile scripts run under: small enough to keep the suite fast.
    static var limits: LuaLimits {
        var limits = LuaLimits()
        limits.memory = 8 << 20
        limits.instructionsPerCall = 1_000_000
        return limits
    }
}
