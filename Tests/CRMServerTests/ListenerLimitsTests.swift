@testable import CRMServer
import Foundation
import NIOCore
import NIOEmbedded
import XCTest

/// Every connection lives within its listener's `ConnectionLimits`: a
/// client that is slow over its head or body, or that stays idle, loses
/// the connection; connections past the limit wait; heads past the limit
/// are refused. Timeouts are short here; `serve`'s defaults are seconds.
final class ListenerLimitsTests: XCTestCase {
    var host: ListenerTestHost!

    override func setUp() async throws {
        host = try await ListenerTestHost.start()
    }

    override func tearDown() async throws {
        await host.stop()
    }

    /// Short limits for the one being tried, the others far off.
    func limits(header: Int64 = 60_000, read: Int64 = 60_000, idle: Int64 = 60_000,
                connections: Int = 512, headBytes: Int = 32 * 1024) -> ListenerOptions {
        ListenerOptions(limits: ConnectionLimits(headerTimeout: .milliseconds(header), readTimeout: .milliseconds(read),
                                                 idleTimeout: .milliseconds(idle), maxConnections: connections,
                                                 maxHeadBytes: headBytes))
    }

    /// A head trickled a byte at a time never ends: whatever reads it (the
    /// webhook front or NIO's decoder), the connection closes at the header timeout.
    func test_aHeadNotWholeInTimeLosesTheConnectionEvenIfBytesKeepComing() async throws {
        let port = try await host.listen(limits(header: 300))
        for start in ["GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n",
                      "POST /webhooks/cloud/\(UUID().uuidString.lowercased()) HTTP/1.1\r\nHost: 127.0.0.1\r\n"] {
            let connection = try RawHTTPConnection(port: port)
            let began = Date()
            try connection.send(Array(start.utf8))
            var closed = false
            while !closed, Date().timeIntervalSince(began) < 5 {
                connection.trySend(Array("X".utf8))
                closed = connection.isClosedByServer(within: 0.1)
            }
            XCTAssertTrue(closed, "\(start.prefix(20))… still open after 5 s")
            XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(began), 0.3)
        }
    }

    func test_aBodyThatStallsLosesTheConnectionAtTheReadTimeout() async throws {
        let port = try await host.listen(limits(read: 300))
        for path in ["/sim/messages", "/webhooks/cloud/\(UUID().uuidString.lowercased())"] {
            let connection = try RawHTTPConnection(port: port)
            try connection.send(Array("POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n{\"to\"".utf8))
            XCTAssertTrue(connection.isClosedByServer(within: 5), "\(path): a stalled body kept its connection")
        }
    }

    func test_anIdleConnectionIsClosedAndABusyOneIsNot() async throws {
        let port = try await host.listen(limits(idle: 400))
        let idle = try RawHTTPConnection(port: port)
        try idle.send(RawHTTPConnection.healthCheck)
        XCTAssertEqual(try idle.answer().status, 200)
        let busy = try RawHTTPConnection(port: port)
        for _ in 0..<8 {
            try await Task.sleep(for: .milliseconds(100))
            try busy.send(RawHTTPConnection.healthCheck)
            XCTAssertEqual(try busy.answer().status, 200)
        }
        XCTAssertTrue(idle.isClosedByServer(within: 2))
        XCTAssertFalse(busy.isClosedByServer(within: 0.05), "a connection in use lost it")
    }

    /// Past the limit, a connection is not taken from the backlog until one closes.
    func test_connectionsPastTheLimitWaitUntilOneCloses() async throws {
        let port = try await host.listen(limits(connections: 2))
        var open = try (0..<2).map { _ in try RawHTTPConnection(port: port) }
        for connection in open {
            try connection.send(RawHTTPConnection.healthCheck)
            XCTAssertEqual(try connection.answer().status, 200)
        }
        let third = try RawHTTPConnection(port: port)
        try third.send(RawHTTPConnection.healthCheck)
        XCTAssertFalse(third.isClosedByServer(within: 0.5))
        XCTAssertThrowsError(try third.answer(within: 0.5), "a third connection was served beside two")
        open.removeFirst()
        XCTAssertEqual(try third.answer(within: 5).status, 200)
    }

    func test_aHeadPastTheLimitIsAnswered431AndClosed() async throws {
        let port = try await host.listen(limits(headBytes: 16 * 1024))
        let padding = "X-Padding: " + String(repeating: "a", count: 4_000) + "\r\n"
        for start in ["GET /healthz HTTP/1.1\r\n", "POST /webhooks/cloud/\(UUID().uuidString.lowercased()) HTTP/1.1\r\n"] {
            let connection = try RawHTTPConnection(port: port)
            try connection.send(Array((start + String(repeating: padding, count: 8) + "Content-Length: 0\r\n\r\n").utf8))
            XCTAssertEqual(try connection.answer().status, 431, String(start.prefix(20)))
            XCTAssertTrue(connection.isClosedByServer(within: 2))
        }
    }

    /// A client that sends and never reads is not read further once its
    /// answers cannot leave, so they do not pile up in the host.
    func test_readingStopsWhileAnswersCannotLeave() throws {
        let channel = EmbeddedChannel()
        let reads = ReadCounter()
        try channel.pipeline.syncOperations.addHandlers([reads, AnswerBackpressure()])
        channel.read()
        XCTAssertEqual(reads.count, 1)
        channel.isWritable = false
        channel.read()
        XCTAssertEqual(reads.count, 1, "read while answers could not leave")
        channel.isWritable = true
        channel.pipeline.fireChannelWritabilityChanged()
        XCTAssertEqual(reads.count, 2, "the held read was not resumed")
        _ = try channel.finish()
    }
}

/// Counts the reads that reach it from the handlers behind.
private final class ReadCounter: ChannelOutboundHandler {
    typealias OutboundIn = Any
    var count = 0
    func read(context: ChannelHandlerContext) {
        count += 1
        context.read()
    }
}
