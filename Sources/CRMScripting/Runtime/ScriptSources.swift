import CRMCore
import Foundation

/// One version of an instance's scripts: the text of every Lua file its folder
/// and `_shared/` hold, read at once so that a version never mixes two saves.
public struct ScriptSources: Sendable, Equatable {
    /// The folder under the scripts directory, e.g. `5511999998888`.
    public var folder: String
    /// File text by chunk name (`vendas/main.lua`, `_shared/format.lua`).
    public var files: [String: String]

    public init(folder: String, files: [String: String]) {
        self.folder = folder
        self.files = files
    }

    /// The chunk name of the entry point.
    public var mainChunk: String { "\(folder)/main.lua" }

    /// A short hash of every file's name and text: equal versions, equal hashes.
    public var version: String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for name in files.keys.sorted() {
            for byte in name.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
            hash = (hash ^ 0xff) &* 0x100_0000_01b3
            for byte in files[name, default: ""].utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
            hash = (hash ^ 0xfe) &* 0x100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// Where `require(name)` looks, in order: the instance's folder, `_shared/`,
    /// then the standard library shipped with the host.
    func module(_ name: String) -> (chunk: String, code: String)? {
        let path = name.replacingOccurrences(of: ".", with: "/") + ".lua"
        for chunk in ["\(folder)/\(path)", "\(ScriptSources.sharedFolder)/\(path)"] {
            if let code = files[chunk] { return (chunk, code) }
        }
        return StandardLibrary.module(path)
    }

    /// The folder of modules every instance may require.
    public static let sharedFolder = "_shared"

    /// Reads `directory/folder/**.lua` (fixtures under `tests/` excluded) and `directory/_shared/**.lua`.
    public static func read(directory: URL, folder: String) -> ScriptSources {
        var files: [String: String] = [:]
        readLua(in: directory.appendingPathComponent(folder), prefix: folder, into: &files)
        readLua(in: directory.appendingPathComponent(sharedFolder), prefix: sharedFolder, into: &files)
        return ScriptSources(folder: folder, files: files)
    }

    private static func readLua(in folder: URL, prefix: String, into files: inout [String: String]) {
        let manager = FileManager.default
        guard let names = try? manager.contentsOfDirectory(atPath: folder.path) else { return }
        for name in names where !name.hasPrefix(".") {
            let url = folder.appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: url.path, isDirectory: &isDirectory) else { continue }
            if isDirectory.boolValue {
                if name != "tests" { readLua(in: url, prefix: "\(prefix)/\(name)", into: &files) }
            } else if name.hasSuffix(".lua"), let data = manager.contents(atPath: url.path) {
                files["\(prefix)/\(name)"] = String(decoding: data, as: UTF8.self)
            }
        }
    }
}
