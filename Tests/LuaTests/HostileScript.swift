import Foundation
import Lua

/// A script from `Hostile/` with the error it must end with, read from its
/// header: `-- expect: KIND`, `-- message: TEXT`, `-- line: N`.
struct HostileScript {
    let name: String
    let code: String
    let kind: LuaError.Kind
    let message: String
    let line: Int

    var chunk: String { "hostile/\(name).lua" }

    static func all() throws -> [HostileScript] {
        guard let folder = Bundle.module.url(forResource: "Hostile", withExtension: nil) else {
            throw HostileScriptProblem(file: "Hostile", reason: "the folder is not among the test resources")
        }
        let files = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "lua" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        return try files.map(HostileScript.init(file:))
    }

    init(file: URL) throws {
        name = file.deletingPathExtension().lastPathComponent
        code = try String(contentsOf: file, encoding: .utf8)
        var header: [String: String] = [:]
        for line in code.split(separator: "\n").prefix(3) {
            guard line.hasPrefix("-- "), let colon = line.firstIndex(of: ":") else { continue }
            let key = line[line.index(line.startIndex, offsetBy: 3)..<colon]
            header[String(key)] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        guard let kindName = header["expect"], let kind = LuaError.Kind(rawValue: kindName),
              let message = header["message"], let line = header["line"].flatMap(Int.init) else {
            throw HostileScriptProblem(file: file.lastPathComponent, reason: "the header needs expect, message and line")
        }
        self.kind = kind
        self.message = message
        self.line = line
    }
}

struct HostileScriptProblem: Error, CustomStringConvertible {
    let file: String
    let reason: String
    var description: String { "\(file): \(reason)" }
}
