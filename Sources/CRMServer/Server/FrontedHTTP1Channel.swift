import HummingbirdCore
import Logging
import NIOCore

/// Hummingbird's HTTP/1.1 child channel with a `WebhookFront` ahead of its
/// decoder: everything `HTTP1Channel` does, on the bytes the front does not
/// answer itself, and every connection held to the listener's
/// `ConnectionLimits` from its first byte (`ConnectionTimeouts`).
struct FrontedHTTP1Channel: ServerChildChannel {
    let http1: HTTP1Channel
    let limits: ConnectionLimits
    let front: @Sendable () -> WebhookFront

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<HTTP1Channel.Value> {
        do {
            try channel.pipeline.syncOperations.addHandlers([ConnectionTimeouts(limits: limits), AnswerBackpressure(), front()])
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        return http1.setup(channel: channel, logger: logger)
    }

    func handle(value: HTTP1Channel.Value, logger: Logger) async {
        await http1.handle(value: value, logger: logger)
    }
}
