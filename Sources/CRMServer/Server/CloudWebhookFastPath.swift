import CRMCore
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOHTTPTypes

/// Answers `POST /webhooks/cloud/:instance_id` on the connection's own event
/// loop, in front of the router.
///
/// Webhook ingest is the host's busiest path, and the router's way to a route
/// (an async sequence of request parts per connection, a task switch per
/// part, the router's lookup) cost about as much CPU as the webhook's own
/// work: a trivial answer given here runs at 2.2–2.7 times the requests per
/// second of the same answer through the router (see BENCHMARKS.md). The
/// work itself is `CloudWebhookDelivery`, shared with the router's route.
///
/// HTTP/1.1 answers must leave in the order their requests came, so a
/// webhook is answered here only while the router has nothing in flight on
/// the connection; otherwise it goes on to the router's route. While one is
/// answered here, request parts read after it wait for its answer.
final class CloudWebhookFastPath: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// A webhook being read: where it goes, and its body so far.
    private struct Reading {
        let instanceID: String
        let signature: String?
        let closesConnection: Bool
        var body: ByteBuffer
        var tooLarge = false
    }
    private enum Phase { case passing, reading(Reading), answering }

    private let delivery: CloudWebhookDelivery
    private let logger: Logger
    private var phase = Phase.passing
    /// Requests passed on to the router whose answer has not ended yet.
    private var routerRequests = 0
    /// Request parts read while a webhook was being answered here.
    private var waiting = CircularBuffer<NIOAny>()
    /// A read the channel asked for while a webhook was being answered.
    private var readHeld = false

    init(service: any InboxService, logger: Logger) {
        delivery = CloudWebhookDelivery(service: service)
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .answering = phase {
            waiting.append(data)
            return
        }
        switch unwrapInboundIn(data) {
        case .head(let head):
            guard routerRequests == 0, let instanceID = Self.webhookInstance(head) else {
                routerRequests += 1
                context.fireChannelRead(data)
                return
            }
            phase = .reading(Reading(instanceID: instanceID,
                                     signature: head.headerFields[CloudWebhookDelivery.signatureHeader],
                                     closesConnection: head.headerFields[.connection] == "close",
                                     body: context.channel.allocator.buffer(capacity: 0)))
        case .body(var chunk):
            guard case .reading(var reading) = phase else { return context.fireChannelRead(data) }
            phase = .passing  // lets the body grow in place
            if !reading.tooLarge {
                if reading.body.readableBytes + chunk.readableBytes > APIRequestContext.bodyLimit {
                    reading.tooLarge = true
                    reading.body = ByteBuffer()
                } else {
                    reading.body.writeBuffer(&chunk)
                }
            }
            phase = .reading(reading)
        case .end:
            guard case .reading(let reading) = phase else { return context.fireChannelRead(data) }
            phase = .answering
            answer(reading, context: context)
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { routerRequests -= 1 }
        context.write(data, promise: promise)
    }

    /// Reading stops only once parts are waiting, so the few a client
    /// pipelines are all that is held; a client that waits for its answer,
    /// as webhook senders do, never has the socket's interest changed.
    func read(context: ChannelHandlerContext) {
        if case .answering = phase, !waiting.isEmpty { readHeld = true } else { context.read() }
    }

    /// Hands the webhook to the pipeline off the event loop, and writes the
    /// answer back on it once the events are committed (or refused).
    private func answer(_ reading: Reading, context: ChannelHandlerContext) {
        guard !reading.tooLarge else {
            return respond(APIError(.contentTooLarge, code: "body_too_large", message: "request body is over 1 MiB"),
                           closing: reading.closesConnection, context: context)
        }
        let loop = context.eventLoop
        let here = NIOLoopBound((self, context), eventLoop: loop)
        let (delivery, logger) = (self.delivery, self.logger)
        Task {
            var failure: APIError?
            do {
                try await delivery.receive(instanceID: reading.instanceID, body: Array(reading.body.readableBytesView),
                                           signature: reading.signature, logger: logger)
            } catch let error as APIError {
                failure = error
            } catch {
                logger.error("request failed: \(error)")
                failure = APIError(.internalServerError, code: "internal", message: "internal error")
            }
            loop.execute { [failure] in
                let (handler, context) = here.value
                handler.respond(failure, closing: reading.closesConnection, context: context)
            }
        }
    }

    /// Writes 200 with no body, or the failure's error body; then goes on
    /// with what waited.
    private func respond(_ failure: APIError?, closing: Bool, context: ChannelHandlerContext) {
        var fields = HTTPFields()
        var body: ByteBuffer?
        if let failure, let bytes = try? failure.body() {
            fields[.contentType] = APIError.contentType
            body = context.channel.allocator.buffer(bytes: bytes)
        }
        fields[.contentLength] = String(body?.readableBytes ?? 0)
        if closing { fields[.connection] = "close" }
        context.write(wrapOutboundOut(.head(HTTPResponse(status: failure?.status ?? .ok, headerFields: fields))), promise: nil)
        if let body { context.write(wrapOutboundOut(.body(body)), promise: nil) }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        guard !closing else {
            context.close(promise: nil)
            return
        }
        phase = .passing
        if !waiting.isEmpty {
            while let next = waiting.popFirst() {
                channelRead(context: context, data: next)
                if case .answering = phase { break }
            }
            // The router's side takes what it was given at the end of a read.
            context.fireChannelReadComplete()
            if case .answering = phase { return }
        }
        if readHeld {
            readHeld = false
            context.read()
        }
    }

    /// The instance of a webhook POST this path answers: `/webhooks/cloud/`
    /// and a well-formed instance id, nothing after it but a query.
    static func webhookInstance(_ head: HTTPRequest) -> String? {
        let prefix = "/webhooks/cloud/"
        guard head.method == .post, let path = head.path, path.hasPrefix(prefix) else { return nil }
        var id = path.dropFirst(prefix.count)
        if let query = id.firstIndex(of: "?") { id = id[..<query] }
        guard InstanceIDText.isWellFormed(id) else { return nil }
        return id.lowercased()
    }
}
