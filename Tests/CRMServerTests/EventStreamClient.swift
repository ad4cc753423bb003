import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A client of `GET /api/events` on its own TCP connection to 127.0.0.1, so
/// a test decides exactly when it goes away (closing its socket, as a browser
/// tab that is shut). Reads poll and sleep instead of blocking a thread the
/// server's tasks may need.
final class EventStreamClient {
    struct Failure: Error, CustomStringConvertible { var description: String }

    private var socket: Int32
    /// Everything the server sent so far, head included.
    private(set) var received = ""

    /// Connects, asks for the stream with `key`, and waits for its first comment.
    init(port: Int, key: String) async throws {
        socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw Failure(description: "socket: \(errno)") }
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
            close()
            throw Failure(description: "connect: \(errno)")
        }
        let request = Array("GET /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(key)\r\n\r\n".utf8)
        let sent = request.withUnsafeBytes { Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard sent == request.count else { throw Failure(description: "send: \(errno)") }
        try await read(until: ": connected", within: .seconds(10))
        guard received.hasPrefix("HTTP/1.1 200") else { throw Failure(description: "not a stream: \(received)") }
    }

    deinit { close() }

    /// Reads until `text` has arrived, failing after `limit`.
    func read(until text: String, within limit: Duration) async throws {
        let deadline = ContinuousClock.now + limit
        while !received.contains(text) {
            guard ContinuousClock.now < deadline else {
                throw Failure(description: "no '\(text)' within \(limit); got: \(received)")
            }
            guard try await readAvailable() else { return }
        }
    }

    /// Reads until the server ends the response or closes the connection,
    /// failing after `limit`.
    func readToEnd(within limit: Duration) async throws {
        let deadline = ContinuousClock.now + limit
        while try await readAvailable() {
            if received.hasSuffix("0\r\n\r\n") { return }
            guard ContinuousClock.now < deadline else {
                throw Failure(description: "the stream did not end within \(limit); got: \(received)")
            }
        }
    }

    /// Takes what has arrived, or sleeps a little when nothing has; false
    /// once the server has closed the connection.
    private func readAvailable() async throws -> Bool {
        var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, 0) > 0 else {
            try await Task.sleep(for: .milliseconds(10))
            return true
        }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
        guard count >= 0 else { throw Failure(description: "recv: \(errno)") }
        guard count > 0 else { return false }
        received += String(decoding: buffer[..<count], as: UTF8.self)
        return true
    }

    /// Goes away without a word, as a closed browser tab does.
    func close() {
        guard socket >= 0 else { return }
        Glibc.close(socket)
        socket = -1
    }
}
