import NIOCore

/// The first handler of every connection: closes it when the client takes
/// too long over its part, as `ConnectionLimits` sets — a head not whole in
/// time, a body that stalls, a connection left idle.
///
/// It reads no HTTP itself: the handlers that do report each request's
/// head, end and answer as `RequestProgress`. While an answer is due, no
/// clock runs against the client: the wait is the host's. Deadlines are
/// checked by one repeated task per connection, not a timer per request,
/// so a connection is closed at most `checkInterval` after its deadline.
final class ConnectionTimeouts: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    private enum Phase {
        /// Between requests: the idle timeout runs.
        case waiting
        /// Bytes of a head came, and not yet all of it.
        case head
        /// A head is read; its body is not.
        case body
    }

    private let limits: ConnectionLimits
    private var phase = Phase.waiting
    /// When the phase began, or the body's last read; restarted when the last answer due is written.
    private var since = NIODeadline.now()
    /// Requests read whole whose answer is not yet written.
    private var answersDue = 0
    private var check: RepeatedTask?

    init(limits: ConnectionLimits) {
        self.limits = limits
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        stop()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        stop()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch phase {
        case .waiting:
            phase = .head
            since = .now()
        case .head:
            break
        case .body:
            since = .now()
        }
        context.fireChannelRead(data)
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard let progress = event as? RequestProgress else {
            return context.triggerUserOutboundEvent(event, promise: promise)
        }
        switch progress {
        case .headRead:
            phase = .body
            since = .now()
        case .requestRead:
            answersDue += 1
            phase = .waiting
            since = .now()
        case .answered:
            answersDue = max(0, answersDue - 1)
            if answersDue == 0 { since = .now() }
        }
        promise?.succeed()
    }

    /// When the client's time is up; nil while an answer is due.
    private var deadline: NIODeadline? {
        guard answersDue == 0 else { return nil }
        switch phase {
        case .waiting: return since + limits.idleTimeout
        case .head: return since + limits.headerTimeout
        case .body: return since + limits.readTimeout
        }
    }

    private func start(context: ChannelHandlerContext) {
        guard check == nil else { return }
        since = .now()
        let here = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        check = context.eventLoop.scheduleRepeatedTask(initialDelay: limits.checkInterval, delay: limits.checkInterval) { _ in
            let (handler, context) = here.value
            if let deadline = handler.deadline, deadline <= .now() {
                handler.stop()
                context.close(promise: nil)
            }
        }
    }

    private func stop() {
        check?.cancel()
        check = nil
    }
}
