import Hummingbird

/// `/api/events`: server-sent events for the live inbox. Each `data:` line is
/// JSON with a `type` and the object.
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
                for await event in stream {
                    try await writer.write(ByteBuffer(string: "event: \(event.type)\ndata: \(event.json)\n\n"))
                }
                try await writer.finish(nil)
            })
        }
    }
}
