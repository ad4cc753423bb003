import Hummingbird

/// Gives every failure the `{"error": {"code", "message"}}` shape, including
/// the framework's own (unknown route, body too large).
struct ErrorShape: RouterMiddleware {
    typealias Context = APIRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            throw error
        } catch let error as HTTPError {
            throw APIError(error.status, code: ErrorShape.code(for: error.status), message: error.body ?? error.status.reasonPhrase)
        } catch let error as any HTTPResponseError {
            throw APIError(error.status, code: ErrorShape.code(for: error.status), message: "\(error)")
        } catch {
            context.logger.error("request failed: \(error)")
            throw APIError.internalError
        }
    }

    static func code(for status: HTTPResponse.Status) -> String {
        switch status {
        case .notFound: return "not_found"
        case .contentTooLarge: return "body_too_large"
        case .unauthorized: return "unauthorized"
        case .methodNotAllowed: return "method_not_allowed"
        case .conflict: return "conflict"
        default: return status.code < 500 ? "invalid_request" : "internal"
        }
    }
}
