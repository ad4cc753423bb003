import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTPTypes

/// Answers the API's busiest requests (`DirectRoute`s: Cloud API webhooks,
/// the inbox list) on the connection's own event loop, in front of the router.
///
/// The router's way to a route (an async sequence of request parts per
/// connection, a task switch per part, the router's lookup) cost about as
/// much CPU as a webhook's own work: a trivial answer given here runs at
/// 2.2–2.7 times the requests per second of the same answer through the
/// router (see BENCHMARKS.md).
///
/// HTTP/1.1 answers must leave in the order their requests came, so a
/// request is answered here only while the router has nothing in flight on
/// the connection; otherwise it goes on to the router, where every direct
/// route is registered too. While one is answered here, request parts read
/// after it wait for its answer.
final class DirectPath: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// A request being read: its route, and its body so far.
    private struct Reading {
        let route: any DirectRoute
        let head: HTTPRequest
        var body: ByteBuffer
        var tooLarge = false
        var closesConnection: Bool { head.headerFields[.connection] == "close" }
    }
    private enum Phase { case passing, reading(Reading), answering }

    private let routes: [any DirectRoute]
    private var phase = Phase.passing
    /// Requests passed on to the router whose answer has not ended yet.
    private var routerRequests = 0
    /// Request parts read while a request was being answered here.
    private var waiting = CircularBuffer<NIOAny>()
    /// A read the channel asked for while parts were waiting.
    private var readHeld = false

    init(routes: [any DirectRoute]) {
        self.routes = routes
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .answering = phase {
            waiting.append(data)
            return
        }
        switch unwrapInboundIn(data) {
        case .head(let head):
            guard routerRequests == 0, let route = routes.first(where: { $0.accepts(head) }) else {
                routerRequests += 1
                context.fireChannelRead(data)
                return
            }
            phase = .reading(Reading(route: route, head: head, body: context.channel.allocator.buffer(capacity: 0)))
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
        // Never below zero: the router also answers requests it never got
        // as a head (a request the decoder could not parse), then closes.
        if case .end = unwrapOutboundIn(data) { routerRequests = max(0, routerRequests - 1) }
        context.write(data, promise: promise)
    }

    /// Reading stops only once parts are waiting, so the few a client
    /// pipelines are all that is held; a client that waits for its answer,
    /// as webhook senders and most API clients do, never has the socket's
    /// interest changed.
    func read(context: ChannelHandlerContext) {
        if case .answering = phase, !waiting.isEmpty { readHeld = true } else { context.read() }
    }

    /// Runs the route, and writes its answer back on the event loop, always
    /// in a later turn of it, even when the route answers at once.
    private func answer(_ reading: Reading, context: ChannelHandlerContext) {
        let closing = reading.closesConnection
        guard !reading.tooLarge else {
            return respond(DirectAnswer(APIError.bodyTooLarge), closing: closing, context: context)
        }
        let loop = context.eventLoop
        let here = NIOLoopBound((self, context), eventLoop: loop)
        reading.route.answer(reading.head, body: reading.body) { answer in
            loop.execute {
                let (handler, context) = here.value
                handler.respond(answer, closing: closing, context: context)
            }
        }
    }

    /// Writes the answer, then goes on with what waited.
    private func respond(_ answer: DirectAnswer, closing: Bool, context: ChannelHandlerContext) {
        var fields = HTTPFields()
        fields[.date] = HTTPDate.now
        if answer.json != nil { fields[.contentType] = APIError.contentType }
        fields[.contentLength] = String(answer.json?.readableBytes ?? 0)
        fields[.retryAfter] = APIError.retryAfter(for: answer.status)
        if closing { fields[.connection] = "close" }
        context.write(wrapOutboundOut(.head(HTTPResponse(status: answer.status, headerFields: fields))), promise: nil)
        if let json = answer.json { context.write(wrapOutboundOut(.body(json)), promise: nil) }
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
}
