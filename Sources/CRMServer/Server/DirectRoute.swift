import HTTPTypes
import Logging
import NIOCore

/// A route answered by `DirectPath` on the connection's event loop, before
/// the router: only the API's busiest requests, each also registered with
/// the router, which takes those `DirectPath` cannot answer in order.
protocol DirectRoute: Sendable {
    /// Whether this route answers a request with this head; false leaves it to the router.
    func accepts(_ head: HTTPRequest) -> Bool
    /// Answers an accepted request, once its body (at most 1 MiB) is read,
    /// by calling `completion` once, on any thread. Called on the event
    /// loop: what takes long or waits must move off it first.
    func answer(_ head: HTTPRequest, body: ByteBuffer, completion: @escaping @Sendable (DirectAnswer) -> Void)
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

    /// Runs `body` in a task on `ReadExecutor`, off the event loops,
    /// answering with the error it throws in the router's shape.
    static func inTask(logger: Logger, completion: @escaping @Sendable (DirectAnswer) -> Void,
                       _ body: @escaping @Sendable () async throws -> DirectAnswer) {
        Task(executorPreference: ReadExecutor.shared) {
            do {
                completion(try await body())
            } catch let error as APIError {
                completion(DirectAnswer(error))
            } catch {
                logger.error("request failed: \(error)")
                completion(DirectAnswer(APIError.internalError))
            }
        }
    }
}
