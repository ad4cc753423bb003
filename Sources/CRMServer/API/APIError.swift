import Foundation
import Hummingbird

/// An answer of the API that is not a success: a status and the
/// `{"error": {"code", "message"}}` body of SPEC §8. Everything that goes
/// wrong in a route ends as one of these, so clients see one shape.
public struct APIError: Error, HTTPResponseError, Sendable, Equatable {
    public var status: HTTPResponse.Status
    /// Stable, machine-readable: `not_found`, `invalid_json`, `conflict`…
    public var code: String
    /// What the caller must fix, in words.
    public var message: String

    public init(_ status: HTTPResponse.Status, code: String, message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    public static func notFound(_ what: String) -> APIError {
        APIError(.notFound, code: "not_found", message: "\(what) not found")
    }

    public static func badRequest(_ message: String, code: String = "invalid_request") -> APIError {
        APIError(.badRequest, code: code, message: message)
    }

    public static func conflict(_ message: String) -> APIError {
        APIError(.conflict, code: "conflict", message: message)
    }

    /// SPEC §2 point 4: the number is connected on another instance. The
    /// holder may be another company's: the answer names no instance.
    public static func numberConnectedElsewhere(_ phone: String) -> APIError {
        .conflict("phone number \(phone) is already connected on another instance; log it out there first")
    }

    /// A body over the API's 1 MiB (SPEC §8), however it was read.
    public static let bodyTooLarge = APIError(.contentTooLarge, code: "body_too_large", message: "request body is over 1 MiB")

    /// What a failure that is not the caller's shows; the cause goes to the log only.
    public static let internalError = APIError(.internalServerError, code: "internal", message: "internal error")

    public static let unauthorized = APIError(.unauthorized, code: "unauthorized",
                                              message: "missing or invalid API key (Authorization: Bearer <key>)")

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = Self.contentType
        headers[.retryAfter] = Self.retryAfter(for: status)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try body())))
    }

    static let contentType = "application/json; charset=utf-8"

    /// The `Retry-After` of an answer with `status`: every 503 (the host is
    /// stopping, its storage failed, or its queue is full) tells the sender,
    /// a webhook source above all, to deliver again in a second; nil otherwise.
    static func retryAfter(for status: HTTPResponse.Status) -> String? {
        status == .serviceUnavailable ? "1" : nil
    }

    /// The `{"error": {"code", "message"}}` bytes, also for answers written
    /// on the connection itself (`DirectPath`).
    func body() throws -> [UInt8] {
        Array(try JSONEncoder().encode(ErrorBody(error: .init(code: code, message: message))))
    }

    struct ErrorBody: Encodable {
        struct Detail: Encodable { let code: String; let message: String }
        let error: Detail
    }
}
