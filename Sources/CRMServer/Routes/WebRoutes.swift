import Foundation
import Hummingbird

/// The web inbox: static files shipped inside the binary's resources, read once
/// at start. Its client-side pages all answer with `index.html`.
struct WebRoutes {
    struct File: Sendable {
        let bytes: ByteBuffer
        let contentType: String
    }

    let files: [String: File]
    static let pages = ["/", "/instances", "/inbox", "/scripts", "/conversations/:id"]

    init() {
        var files: [String: File] = [:]
        if let root = Bundle.module.resourceURL?.appendingPathComponent("Web"),
           let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) {
            for case let url as URL in walker {
                guard let data = try? Data(contentsOf: url), !url.hasDirectoryPath else { continue }
                let path = String(url.path.dropFirst(root.path.count))
                files[path] = File(bytes: ByteBuffer(bytes: data), contentType: WebRoutes.contentType(url.pathExtension))
            }
        }
        self.files = files
    }

    func register(on router: Router<APIRequestContext>) {
        for page in WebRoutes.pages {
            router.get(RouterPath(page)) { _, _ in try self.answer("/index.html") }
        }
        for path in files.keys where path != "/index.html" {
            router.get(RouterPath(path)) { _, _ in try self.answer(path) }
        }
    }

    private func answer(_ path: String) throws -> Response {
        guard let file = files[path] else { throw APIError.notFound("page") }
        var headers = HTTPFields()
        headers[.contentType] = file.contentType
        headers[.cacheControl] = "no-cache"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: file.bytes))
    }

    static func contentType(_ fileExtension: String) -> String {
        switch fileExtension {
        case "html": return "text/html; charset=utf-8"
        case "js", "mjs": return "text/javascript; charset=utf-8"
        case "css": return "text/css; charset=utf-8"
        case "svg": return "image/svg+xml"
        case "png": return "image/png"
        case "json": return "application/json"
        case "yaml": return "application/yaml"
        default: return "application/octet-stream"
        }
    }
}
