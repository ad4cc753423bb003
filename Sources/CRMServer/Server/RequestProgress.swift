import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// Where a connection is in its requests, told to `ConnectionTimeouts` as an
/// outbound user event by whichever handler reads requests: `WebhookFront`
/// from the bytes, `RequestBoundaries` behind NIO's decoder.
enum RequestProgress: Sendable {
    /// A head is read and its body is not yet whole.
    case headRead
    /// A request is read whole; its answer is due from the host.
    case requestRead
    /// The answer to the oldest request read is written.
    case answered
}

/// Tells `ConnectionTimeouts` where requests decoded by NIO begin and end,
/// and answers a head longer than the decoder allows with 431 before the
/// connection closes (Hummingbird would answer any decoding error with 400).
final class RequestBoundaries: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// Requests read whole whose answer has not ended yet.
    private var unanswered = 0

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head: context.triggerUserOutboundEvent(RequestProgress.headRead, promise: nil)
        case .body: break
        case .end:
            unanswered += 1
            context.triggerUserOutboundEvent(RequestProgress.requestRead, promise: nil)
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            unanswered = max(0, unanswered - 1)
            context.triggerUserOutboundEvent(RequestProgress.answered, promise: nil)
        }
        context.write(data, promise: promise)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parsing = error as? HTTPParserError, parsing == .headerOverflow, unanswered == 0 else {
            return context.fireErrorCaught(error)
        }
        var fields = HTTPFields()
        fields[.connection] = "close"
        fields[.contentLength] = "0"
        context.write(wrapOutboundOut(.head(HTTPResponse(status: .requestHeaderFieldsTooLarge, headerFields: fields))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        context.close(promise: nil)
    }
}
