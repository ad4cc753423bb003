import NIOCore

/// Stops reading a connection while the answers already written to it
/// cannot leave: a client that sends requests and never reads its answers
/// then holds NIO's write buffer's worth of them, not one per request sent.
/// The router's side waits for writability on its own; the answers written
/// on the event loop (`WebhookFront`, `DirectPath`) rely on this.
final class AnswerBackpressure: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    /// A read asked for while the channel could not write.
    private var readHeld = false

    func read(context: ChannelHandlerContext) {
        if context.channel.isWritable { context.read() } else { readHeld = true }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if readHeld, context.channel.isWritable {
            readHeld = false
            context.read()
        }
        context.fireChannelWritabilityChanged()
    }
}
