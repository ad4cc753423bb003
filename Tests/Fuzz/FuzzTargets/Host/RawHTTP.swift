import Foundation

/// HTTP/1.1 over a plain blocking socket to 127.0.0.1: the fuzz targets send
/// bytes no HTTP client would, in pieces of their choosing, and read what
/// comes back until the server closes or goes quiet.
enum RawHTTP {
    struct Answer {
        var status: Int
        var headers: [(String, String)]
        var body: [UInt8]
    }

    /// Writes `pieces` one after the other, closes the writing side when
    /// `halfClose`, and reads until the server closes or `quiet` passes with
    /// nothing read.
    /// - Returns: the bytes read, and whether the server closed.
    static func exchange(port: Int, pieces: [[UInt8]], halfClose: Bool, quiet: Duration) throws(FuzzFailure) -> (bytes: [UInt8], closed: Bool) {
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw FuzzFailure("no socket: errno \(errno)") }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw FuzzFailure("the server refuses connections: errno \(errno)") }
        let (seconds, attoseconds) = quiet.components
        var timeout = timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(socket, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var one: Int32 = 1
        setsockopt(socket, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        for piece in pieces where !piece.isEmpty {
            let sent = piece.withUnsafeBytes { send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            // The server may answer and close before it has read everything.
            if sent < 0 { break }
        }
        if halfClose { shutdown(socket, Int32(SHUT_WR)) }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            if count > 0 { received += buffer[..<count]; continue }
            return (received, count == 0 || errno == ECONNRESET)
        }
    }

    /// One request with a body, answered on its own connection.
    static func request(port: Int, _ method: String, _ path: String, headers: [(String, String)] = [],
                        body: [UInt8] = []) throws(FuzzFailure) -> Answer {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: \(body.count)\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        let (bytes, _) = try exchange(port: port, pieces: [Array((head + "\r\n").utf8) + body], halfClose: false,
                                      quiet: .seconds(30))
        let answers = try answers(in: bytes)
        guard let answer = answers.first else { throw FuzzFailure("no answer to \(method) \(path)") }
        return answer
    }

    /// The answers in what a server wrote, each checked well-formed: a
    /// status line, header lines, and a body of `Content-Length` bytes or in chunks.
    static func answers(in bytes: [UInt8]) throws(FuzzFailure) -> [Answer] {
        var answers: [Answer] = []
        var rest = bytes[...]
        while !rest.isEmpty {
            guard let end = rest.firstRange(of: Array("\r\n\r\n".utf8)) else {
                throw FuzzFailure("an answer's head does not end: \(String(decoding: rest.prefix(200), as: UTF8.self).debugDescription)")
            }
            let lines = String(decoding: rest[..<end.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
            let statusLine = lines[0].split(separator: " ", maxSplits: 2)
            guard statusLine.count >= 2, statusLine[0] == "HTTP/1.1", let status = Int(statusLine[1]),
                  (100...599).contains(status) else {
                throw FuzzFailure("a malformed status line: \(lines[0].debugDescription)")
            }
            var headers: [(String, String)] = []
            for line in lines.dropFirst() {
                guard let colon = line.firstIndex(of: ":") else { throw FuzzFailure("a malformed header line: \(line.debugDescription)") }
                headers.append((line[..<colon].lowercased(), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
            }
            rest = rest[end.upperBound...]
            var body: [UInt8] = []
            if let length = headers.first(where: { $0.0 == "content-length" }).flatMap({ Int($0.1) }) {
                guard rest.count >= length else { throw FuzzFailure("an answer's body is cut short") }
                body = Array(rest.prefix(length))
                rest = rest.dropFirst(length)
            } else if headers.contains(where: { $0.0 == "transfer-encoding" && $0.1.lowercased() == "chunked" }) {
                while true {
                    guard let lineEnd = rest.firstRange(of: Array("\r\n".utf8)),
                          let size = Int(String(decoding: rest[..<lineEnd.lowerBound], as: UTF8.self), radix: 16),
                          rest.count >= (lineEnd.upperBound - rest.startIndex) + size + 2 else {
                        throw FuzzFailure("a malformed chunked body")
                    }
                    rest = rest[lineEnd.upperBound...]
                    body += rest.prefix(size)
                    rest = rest.dropFirst(size + 2)
                    if size == 0 { break }
                }
            }
            answers.append(Answer(status: status, headers: headers, body: body))
        }
        return answers
    }
}
