import Foundation
import Synchronization

/// Fans live events out to every `/api/events` subscriber of the same company.
/// A slow subscriber loses its oldest events rather than slowing the host.
///
/// Every `keepAlive` each subscription also gets `ServerEvent.keepAlive`,
/// which the route writes as a comment: a stream whose client has left is
/// only noticed when a write to it fails, and without the nudge that waits
/// for the company's next event, however far off. `close()` ends every
/// subscription so a stop does not wait for streams that never end by
/// themselves.
public final class EventBus: Sendable {
    private let state = Mutex(State())

    private struct State {
        var next = 0
        var closed = false
        var subscribers: [Int: (companyID: Int64, continuation: AsyncStream<ServerEvent>.Continuation)] = [:]
        var nudging: Task<Void, Never>?
    }

    /// - Parameter keepAlive: how often every subscription is nudged.
    public init(keepAlive: Duration = .seconds(15)) {
        let nudging = Task { [weak self] in
            while true {
                do { try await Task.sleep(for: keepAlive) } catch { return }
                guard let self else { return }
                self.nudge()
            }
        }
        state.withLock { $0.nudging = nudging }
    }

    deinit { state.withLock { $0.nudging?.cancel() } }

    /// How many streams are open, across companies.
    public var subscriberCount: Int { state.withLock { $0.subscribers.count } }

    /// A stream of the company's events from now on; ends when the client
    /// goes, or at once when the bus is closed.
    public func subscribe(companyID: Int64) -> AsyncStream<ServerEvent> {
        let (stream, continuation) = AsyncStream<ServerEvent>.makeStream(bufferingPolicy: .bufferingNewest(1_000))
        let id = state.withLock { state -> Int? in
            guard !state.closed else { return nil }
            state.next += 1
            state.subscribers[state.next] = (companyID, continuation)
            return state.next
        }
        guard let id else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in
            self?.state.withLock { state in _ = state.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    /// Ends every subscription, and every later one at once: the host is stopping.
    public func close() {
        let (open, nudging) = state.withLock { state in
            state.closed = true
            defer { state.nudging = nil }
            return (state.subscribers.values.map(\.continuation), state.nudging)
        }
        nudging?.cancel()
        // Outside the lock: finishing runs `onTermination`, which takes it.
        for continuation in open { continuation.finish() }
    }

    private func nudge() {
        let open = state.withLock { state in state.closed ? [] : state.subscribers.values.map(\.continuation) }
        for continuation in open { continuation.yield(.keepAlive) }
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

extension ServerEvent {
    /// Not an event: the bus's periodic nudge of an idle stream, which the
    /// route writes as an SSE comment. No real event has an empty type.
    public static let keepAlive = ServerEvent(type: "", companyID: 0, json: "")
}
