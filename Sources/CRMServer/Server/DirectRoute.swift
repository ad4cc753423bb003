import HTTPTypes
import Logging
import NIOCore

/// A route answered by `DirectPath` on the connection's event loop, before
/// the router: only the API's busiest requests, each also registered with
/// the router, which takes those `DirectPath` cannot answer in order.
protocol DirectRoute: Sendable {
    /// Whether this route answers a request with this head; false leaves it to the router.
    func accepts(_ head: HTTPRequest) -> Bool
    /// The answer to an accepted request, once its body (at most 1 MiB) is read.
    func answer(_ head: HTTPRequest, body: ByteBuffer) async -> DirectAnswer
}

/// What a `DirectRoute` answers: a status, and a JSON body or none.
struct DirectAnswer: Sendable {
    var status: HTTPResponse.Status
    var json: ByteBuffer?

    static let ok = DirectAnswer(status: .ok)

    /// The router's error shape, `{"error": {"code", "message"}}`.
    init(_ error: APIError) {
        status = error.status
        json = (try? error.body()).map { ByteBuffer(bytes: $0) }
    }

    init(status: HTTPResponse.Status, json: ByteBuffer? = nil) {
        self.status = status
        self.json = json
    }

    /// Runs `body`, answering with the error it throws in the router's shape.
    static func catching(logger: Logger, _ body: () async throws -> DirectAnswer) async -> DirectAnswer {
        do {
            return try await body()
        } catch let error as APIError {
            return DirectAnswer(error)
        } catch {
            logger.error("request failed: \(error)")
            return DirectAnswer(APIError.internalError)
        }
    }
}
