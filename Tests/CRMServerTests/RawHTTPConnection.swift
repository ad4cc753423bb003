import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One TCP connection to 127.0.0.1 that writes request bytes exactly as
/// given — several pipelined in one write, a body of any size — and reads
/// the answers back one by one, as no HTTP client library lets a test do.
final class RawHTTPConnection {
    struct Failure: Error, CustomStringConvertible { var description: String }

    /// One answer: status, headers by lowercased name, body.
    struct Answer {
        let status: Int
        let headers: [String: String]
        let body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    private let socket: Int32
    private var received: [UInt8] = []

    init(port: Int) throws {
        socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw Failure(description: "socket: \(errno)") }
        var timeout = timeval(tv_sec: 15, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(socket)
            throw Failure(description: "connect: \(errno)")
        }
    }

    deinit { close(socket) }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw Failure(description: "send: \(errno)") }
            offset += sent
        }
    }

    /// The next answer, failing when it is not here within `seconds`.
    func answer(within seconds: Double) throws -> Answer {
        var timeout = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - seconds.rounded(.down)) * 1_000_000))
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        defer {
            var usual = timeval(tv_sec: 15, tv_usec: 0)
            setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &usual, socklen_t(MemoryLayout<timeval>.size))
        }
        return try answer()
    }

    /// The next answer, read to the end of its `Content-Length` body.
    func answer() throws -> Answer {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        var headEnd: Int?
        while headEnd == nil {
            headEnd = received.indices.dropLast(3).first { Array(received[$0..<$0 + 4]) == separator }
            if headEnd == nil { try receiveMore() }
        }
        let lines = String(decoding: received[..<headEnd!], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { throw Failure(description: "status line: \(lines[0])") }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        let bodyStart = headEnd! + 4
        while received.count < bodyStart + length { try receiveMore() }
        let body = Array(received[bodyStart..<bodyStart + length])
        received.removeFirst(bodyStart + length)
        return Answer(status: status, headers: headers, body: body)
    }

    /// Closes the sending side only: the server sees the end of input and can still answer.
    func finishSending() {
        shutdown(socket, Int32(SHUT_WR))
    }

    /// Whether the server closed the connection (reading gives end of file).
    func closedByServer() -> Bool {
        var byte: UInt8 = 0
        return recv(socket, &byte, 1, 0) == 0
    }

    /// Whether the server closes the connection within `seconds`, reading
    /// and dropping whatever it answers before that.
    func isClosedByServer(within seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while Date() < deadline {
            var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
            setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            let count = chunk.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            if count == 0 || (count < 0 && errno == ECONNRESET) { return true }
            if count > 0 { received += chunk[..<count] }
        }
        var usual = timeval(tv_sec: 15, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &usual, socklen_t(MemoryLayout<timeval>.size))
        return false
    }

    /// Sends what it can, ignoring a connection the server already closed.
    func trySend(_ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    private func receiveMore() throws {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        let count = chunk.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { throw Failure(description: count == 0 ? "connection closed" : "recv: \(errno)") }
        received += chunk[..<count]
    }

    /// A signed POST of `body` to an instance's webhook, as bytes on the wire.
    static func webhook(_ body: [UInt8], to instance: String, signature: String?, closing: Bool = false) -> [UInt8] {
        var head = "POST /webhooks/cloud/\(instance) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        if let signature { head += "X-Hub-Signature-256: \(signature)\r\n" }
        if closing { head += "Connection: close\r\n" }
        head += "Content-Length: \(body.count)\r\n\r\n"
        return Array(head.utf8) + body
    }

    static let healthCheck = Array("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8)
}
