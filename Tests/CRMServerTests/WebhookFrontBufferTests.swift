import CRMCore
@testable import CRMServer
import Foundation
import Logging
import NIOCore
import NIOEmbedded
import XCTest

/// What `WebhookFront` holds of a connection's bytes: at most one request
/// not yet whole and what came behind it, however long the connection lives.
final class WebhookFrontBufferTests: RawConnectionTestCase {
    /// Requests that never end on a read's edge keep the front's buffer in
    /// use for the whole connection: it must still not grow with the stream.
    func test_aLongStreamOfRequestsOnOneConnectionKeepsTheBufferBounded() throws {
        let channel = EmbeddedChannel()
        let front = WebhookFront(delivery: CloudWebhookDelivery(service: host.daemon), logger: Logger(label: "test"))
        try channel.pipeline.syncOperations.addHandler(front)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 9)).wait()
        // Not a cloud instance: each is refused with 404 at once, and nothing is stored.
        let request = RawHTTPConnection.webhook([UInt8](repeating: UInt8(ascii: " "), count: 4_000),
                                                to: UUID().uuidString.lowercased(), signature: nil)
        let readSize = 65_536
        let total = 32 << 20
        var stream: [UInt8] = []
        var largest = 0
        var sent = 0
        var answers = 0
        while sent < total {
            while stream.count < readSize { stream += request }
            try channel.writeInbound(ByteBuffer(bytes: stream.prefix(readSize)))
            stream.removeFirst(readSize)
            sent += readSize
            channel.embeddedEventLoop.run()
            while let answer = try channel.readOutbound(as: IOData.self) {
                if case .byteBuffer(let bytes) = answer, bytes.readableBytesView.starts(with: "HTTP/1.1 404".utf8) { answers += 1 }
            }
            largest = max(largest, front.bufferedCapacity)
        }
        XCTAssertGreaterThan(answers, total / request.count - 2)
        XCTAssertTrue(channel.isActive, "the front closed a connection that did nothing wrong")
        XCTAssertLessThanOrEqual(largest, 4 * readSize, "the front held \(largest) bytes after \(sent) were sent")
        _ = try? channel.finish()
    }
}
