import HTTPTypes
import Logging
import NIOCore

/// The first handler of every connection, in front of NIO's HTTP/1.1
/// decoder: it answers signed Cloud API webhook POSTs from the connection's
/// bytes, and hands the connection to the decoder, for good, at the first
/// request that is anything else.
///
/// A webhook sender's connection carries nothing but webhooks, and after
/// `DirectPath` took them away from the router, NIO's decoding of each into
/// request parts, their conversion to `HTTPTypes` and back, and the encoding
/// of the answer were most of an event loop's time per webhook. Here a
/// webhook is one look at its head (`WebhookRequestHead`), its body sliced
/// from the same bytes, and one write of a ready answer.
///
/// Answers leave in the order requests came: a request that arrives while a
/// webhook waits for its commit is read only after the answer is written,
/// and the hand-over happens only between requests, with nothing pending.
final class WebhookFront: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    private let delivery: CloudWebhookDelivery
    private let logger: Logger
    /// Bytes read and not yet taken by a request.
    private var unread: ByteBuffer?
    /// A webhook waits for its commit; what comes meanwhile waits in `unread`.
    private var answering = false
    /// A read the channel asked for while bytes were waiting.
    private var readHeld = false
    /// The client closed its side while a webhook was answered: passed on
    /// only after the answer, or the HTTP side behind would close first.
    private var inputClosed = false

    /// Room taken by bytes read and not yet taken, for tests of its bound.
    var bufferedCapacity: Int { unread?.capacity ?? 0 }

    init(delivery: CloudWebhookDelivery, logger: Logger) {
        self.delivery = delivery
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        if unread == nil {
            unread = bytes
        } else {
            // The bytes of requests already taken go before more are added:
            // the buffer then holds one unfinished request and what came
            // behind it, not everything a kept-alive connection ever sent.
            unread!.discardReadBytes()
            unread!.writeBuffer(&bytes)
        }
        if !answering { takeRequests(context: context) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        unread = nil
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard case .inputClosed = event as? ChannelEvent else { return context.fireUserInboundEventTriggered(event) }
        inputClosed = true
        if !answering { handOver(context: context) }
    }

    /// Like `DirectPath`: reading stops only while a webhook is answered and
    /// bytes after it are waiting, so a client that waits for its answers
    /// never has the socket's interest changed.
    func read(context: ChannelHandlerContext) {
        if answering, let unread, unread.readableBytes > 0 { readHeld = true } else { context.read() }
    }

    /// Answers the webhooks that are wholly read, until one is being
    /// answered, the bytes run out, or a request is not one read here.
    private func takeRequests(context: ChannelHandlerContext) {
        while !answering, let bytes = unread, bytes.readableBytes > 0 {
            switch bytes.withUnsafeReadableBytes(WebhookRequestHead.read) {
            case .incomplete:
                return
            case .other:
                return handOver(context: context)
            case .webhook(let head):
                guard head.contentLength <= APIRequestContext.bodyLimit else { return handOver(context: context) }
                guard bytes.readableBytes >= head.headLength + head.contentLength else {
                    return context.triggerUserOutboundEvent(RequestProgress.headRead, promise: nil)
                }
                context.triggerUserOutboundEvent(RequestProgress.requestRead, promise: nil)
                let body = bytes.getBytes(at: bytes.readerIndex + head.headLength, length: head.contentLength) ?? []
                unread!.moveReaderIndex(forwardBy: head.headLength + head.contentLength)
                if unread!.readableBytes == 0 { unread = nil }
                answer(head, body: body, context: context)
            }
        }
    }

    private func answer(_ head: WebhookRequestHead, body: [UInt8], context: ChannelHandlerContext) {
        answering = true
        let loop = context.eventLoop
        let here = NIOLoopBound((self, context), eventLoop: loop)
        delivery.receive(instanceID: head.instanceID, body: body, signature: head.signature, logger: logger) { refusal in
            loop.execute {
                let (front, context) = here.value
                front.respond(refusal, closing: head.closing, context: context)
            }
        }
    }

    private func respond(_ refusal: APIError?, closing: Bool, context: ChannelHandlerContext) {
        let bytes: ByteBuffer
        if refusal == nil, !closing {
            bytes = Self.acceptedAnswer()
        } else {
            bytes = Self.encode(refusal.map(DirectAnswer.init) ?? .ok, closing: closing, allocator: context.channel.allocator)
        }
        context.writeAndFlush(wrapOutboundOut(.byteBuffer(bytes)), promise: nil)
        context.triggerUserOutboundEvent(RequestProgress.answered, promise: nil)
        guard !closing else {
            unread = nil
            context.close(promise: nil)
            return
        }
        answering = false
        takeRequests(context: context)
        if inputClosed, !answering { return handOver(context: context) }
        if readHeld, !answering {
            readHeld = false
            context.read()
        }
    }

    /// Gives the bytes not taken, and the end of input if it came, to NIO's
    /// decoder behind, and leaves.
    private func handOver(context: ChannelHandlerContext) {
        if let rest = unread, rest.readableBytes > 0 {
            unread = nil
            context.fireChannelRead(wrapInboundOut(rest))
            context.fireChannelReadComplete()
        }
        if inputClosed { context.fireUserInboundEventTriggered(ChannelEvent.inputClosed) }
        if readHeld {
            readHeld = false
            context.read()
        }
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    /// Nearly every answer: `200 OK`, the connection kept. Its bytes change
    /// only with the `Date` header, so they are built once a second and the
    /// same buffer is written to every connection meanwhile; building them
    /// for each answer was an eighth of the time the loop spent answering.
    private static let accepted = PerSecond { second in
        encode(.ok, closing: false, date: HTTPDate.format(second), allocator: ByteBufferAllocator())
    }

    static func acceptedAnswer() -> ByteBuffer { accepted.current }

    /// The answer as HTTP/1.1 bytes, with the headers `DirectPath` gives the same answer.
    static func encode(_ answer: DirectAnswer, closing: Bool, date: String = HTTPDate.now,
                       allocator: ByteBufferAllocator) -> ByteBuffer {
        let length = answer.json?.readableBytes ?? 0
        var buffer = allocator.buffer(capacity: 128 + length)
        buffer.writeString("HTTP/1.1 \(answer.status.code) \(answer.status.reasonPhrase)\r\nDate: \(date)\r\n")
        if answer.json != nil { buffer.writeString("Content-Type: \(APIError.contentType)\r\n") }
        buffer.writeString("Content-Length: \(length)\r\n")
        if let seconds = APIError.retryAfter(for: answer.status) { buffer.writeString("Retry-After: \(seconds)\r\n") }
        if closing { buffer.writeString("Connection: close\r\n") }
        buffer.writeString("\r\n")
        if var json = answer.json { buffer.writeBuffer(&json) }
        return buffer
    }
}
