import Foundation

/// The Lua modules shipped with the host (`require "crm.triggers"`), read once
/// from the module's resources.
enum StandardLibrary {
    /// Module text by path under the library, e.g. `crm/triggers.lua`.
    static let files: [String: String] = {
        guard let root = Bundle.module.url(forResource: "Library", withExtension: nil) else { return [:] }
        var files: [String: String] = [:]
        let manager = FileManager.default
        guard let enumerator = manager.enumerator(atPath: root.path) else { return [:] }
        while let relative = enumerator.nextObject() as? String {
            guard relative.hasSuffix(".lua"),
                  let data = manager.contents(atPath: root.appendingPathComponent(relative).path) else { continue }
            files[relative] = String(decoding: data, as: UTF8.self)
        }
        return files
    }()

    static func module(_ path: String) -> (chunk: String, code: String)? {
        files[path].map { (path, $0) }
    }
}
