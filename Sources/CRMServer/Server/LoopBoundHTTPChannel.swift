import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

/// Hummingbird's HTTP/1.1 connection handling, with each connection's task
/// preferring the event loop of its socket (`EventLoopTaskExecutor`): the
/// request is read, routed, answered and written on one thread.
///
/// Scoped to the HTTP connections, not installed as the process's global
/// executor: the tasks of the message pipeline, the sessions and the scripts
/// keep running on Swift's pool. An actor a route calls runs its method on
/// the route's loop (a task's executor preference carries into default
/// actors); a task a route starts unstructured runs on the pool. A route must
/// not block for long: it holds up the other connections of its loop.
struct LoopBoundHTTPChannel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value
    let http: HTTP1Channel

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        http.setup(channel: channel, logger: logger)
    }

    func handle(value: Value, logger: Logger) async {
        await withTaskExecutorPreference(EventLoopTaskExecutor(value.channel.eventLoop)) {
            await http.handle(value: value, logger: logger)
        }
    }
}

extension HTTPServerBuilder {
    /// HTTP/1.1 as `.http1()`, each connection answered on its own event loop.
    static func http1OnEventLoops(configuration: HTTP1Channel.Configuration = .init()) -> HTTPServerBuilder {
        .init { responder in LoopBoundHTTPChannel(http: HTTP1Channel(responder: responder, configuration: configuration)) }
    }
}
