import CRMCore
import Foundation
import Hummingbird

/// A request's JSON object body, read strictly: over 1 MiB, not JSON, not an
/// object, or a field of the wrong type each answer 4xx with what to fix.
struct JSONBody {
    let fields: [String: JSONValue]

    /// The raw bytes of a body of at most 1 MiB (SPEC §8).
    static func bytes(of request: Request) async throws -> [UInt8] {
        var request = request
        do {
            return Array(try await request.collectBody(upTo: APIRequestContext.bodyLimit).readableBytesView)
        } catch {
            throw APIError.bodyTooLarge
        }
    }

    static func read(_ request: Request, context: APIRequestContext) async throws -> JSONBody {
        let body = try await bytes(of: request)
        guard !body.isEmpty else { throw APIError.badRequest("request body must be a JSON object", code: "invalid_json") }
        let value: JSONValue
        do {
            value = try JSONReader.parse(body)
        } catch {
            throw APIError.badRequest("request body is not valid JSON: \(error.reason) at byte \(error.offset)",
                                      code: "invalid_json")
        }
        guard case .object(let object) = value else {
            throw APIError.badRequest("request body must be a JSON object", code: "invalid_json")
        }
        return JSONBody(fields: object)
    }

    func string(_ name: String) throws -> String {
        guard let value = fields[name], value != .null else {
            throw APIError.badRequest("field '\(name)' is required", code: "missing_field")
        }
        guard case .string(let text) = value else {
            throw APIError.badRequest("field '\(name)' must be a string", code: "invalid_field")
        }
        return text
    }

    func optionalString(_ name: String) throws -> String? {
        guard let value = fields[name], value != .null else { return nil }
        guard case .string(let text) = value else {
            throw APIError.badRequest("field '\(name)' must be a string", code: "invalid_field")
        }
        return text
    }

    func optionalObject(_ name: String) throws -> [String: JSONValue]? {
        guard let value = fields[name], value != .null else { return nil }
        guard case .object(let object) = value else {
            throw APIError.badRequest("field '\(name)' must be an object", code: "invalid_field")
        }
        return object
    }

    /// A non-empty text of at most `limit` characters.
    func text(_ name: String, limit: Int) throws -> String {
        let text = try string(name)
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw APIError.badRequest("field '\(name)' must not be empty", code: "invalid_field")
        }
        guard text.count <= limit else {
            throw APIError.badRequest("field '\(name)' is longer than \(limit) characters", code: "invalid_field")
        }
        return text
    }
}

extension Response {
    /// A JSON answer with `status`, dates in ISO-8601.
    static func json<Value: Encodable>(_ value: Value, status: HTTPResponse.Status = .ok) throws -> Response {
        jsonResponse(ByteBuffer(bytes: try JSONEncoder.api().encode(value)), status: status)
    }

    /// The same answer for shapes that write themselves, without the encoder.
    static func json<Value: Encodable & JSONWritable>(_ value: Value, status: HTTPResponse.Status = .ok) throws -> Response {
        jsonResponse(jsonBuffer(value), status: status)
    }

    /// `value`'s JSON, written straight into a response buffer.
    static func jsonBuffer<Value: JSONWritable>(_ value: Value) -> ByteBuffer {
        // Room for a page of 50 conversations (some 20 KB) from the start:
        // growing by doubling from a small buffer copied it three times over.
        // The JSON is written straight into the response's buffer; only an
        // answer larger than that (a page of 100 or more) is written aside
        // and copied in.
        var body = ByteBufferAllocator().buffer(capacity: 1 << 15)
        var larger: [UInt8]?
        body.writeWithUnsafeMutableBytes(minimumWritableBytes: 0) { free in
            var writer = JSONWriter(borrowing: free)
            value.write(to: &writer)
            guard writer.isInBorrowedRegion else {
                larger = writer.bytes
                return 0
            }
            return writer.count
        }
        if let larger { body.writeBytes(larger) }
        return body
    }

    private static func jsonResponse(_ body: ByteBuffer, status: HTTPResponse.Status) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: body))
    }
}
