import Foundation
import Synchronization

/// Fans live events out to every `/api/events` subscriber of the same company.
/// A slow subscriber loses its oldest events rather than slowing the host.
public final class EventBus: Sendable {
    private let state = Mutex(State())

    private struct State {
        var next = 0
        var subscribers: [Int: (companyID: Int64, continuation: AsyncStream<ServerEvent>.Continuation)] = [:]
    }

    public init() {}

    /// A stream of the company's events from now on; ends when the client goes.
    public func subscribe(companyID: Int64) -> AsyncStream<ServerEvent> {
        let (stream, continuation) = AsyncStream<ServerEvent>.makeStream(bufferingPolicy: .bufferingNewest(1_000))
        let id = state.withLock { state in
            state.next += 1
            state.subscribers[state.next] = (companyID, continuation)
            return state.next
        }
        continuation.onTermination = { [weak self] _ in
            self?.state.withLock { state in _ = state.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    /// Whether anyone of the company listens, so unwatched events cost nothing.
    public func hasSubscribers(companyID: Int64) -> Bool {
        state.withLock { state in state.subscribers.values.contains { $0.companyID == companyID } }
    }

    public func publish(_ event: ServerEvent) {
        let targets = state.withLock { state in
            state.subscribers.values.filter { $0.companyID == event.companyID }.map(\.continuation)
        }
        for continuation in targets { continuation.yield(event) }
    }

    /// Encodes `object` and publishes it as an event of `type`.
    public func publish<Object: Encodable>(type: String, companyID: Int64, object: Object) {
        guard let data = try? JSONEncoder.api(sortedKeys: true).encode(EventEnvelope(type: type, object: object)),
              let json = String(data: data, encoding: .utf8) else { return }
        publish(ServerEvent(type: type, companyID: companyID, json: json))
    }

    /// `{"type": "message", "message": {...}}`: the object under its type's name.
    private struct EventEnvelope<Object: Encodable>: Encodable {
        let type: String
        let object: Object

        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(type, forKey: Key(stringValue: "type"))
            try container.encode(object, forKey: Key(stringValue: type))
        }
    }
}
