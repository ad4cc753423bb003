import Hummingbird
import ServiceLifecycle

/// `/api/events`: server-sent events for the live inbox. Each `data:` line is
/// JSON with a `type` and the object; `: keep-alive` comments come between.
///
/// A stream ends when its client has gone (a write fails, at the latest on
/// the bus's next keep-alive) and when the host stops: the listener's drain
/// waits for every response, and this one never ends by itself.
struct EventRoutes {
    let service: any InboxService

    func register(on group: RouterGroup<APIRequestContext>) {
        group.get("events") { _, context in
            let stream = await service.events(for: try context.requireTenant())
            var headers = HTTPFields()
            headers[.contentType] = "text/event-stream"
            headers[.cacheControl] = "no-store"
            return Response(status: .ok, headers: headers, body: ResponseBody { writer in
                try await writer.write(ByteBuffer(string: ": connected\n\n"))
                for await event in stream.cancelOnGracefulShutdown() {
                    if event == .keepAlive {
                        try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                    } else {
                        try await writer.write(ByteBuffer(string: "event: \(event.type)\ndata: \(event.json)\n\n"))
                    }
                }
                try await writer.finish(nil)
            })
        }
    }
}
