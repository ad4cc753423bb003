import CRMSessions
import Foundation
import Hummingbird
import NIOCore
import Synchronization

/// A stand-in for Meta's Graph API, written here and started by the tests on
/// 127.0.0.1. It follows the documented shapes: the phone number read, message
/// sends answering `{"messages":[{"id": wamid}]}`, and errors as
/// `{"error": {"message", "type", "code", "fbtrace_id"}}`. Tests script its
/// faults: 429 bursts, 5xx then success, a rejected token.
final class GraphEmulator: Sendable {
    enum Fault: Sendable { case throttled, serverError, badToken }

    private struct State {
        var numbers: [String: String] = [:]
        var validTokens: Set<String> = []
        var faults: [Fault] = []
        var rawSent: [Data] = []
        var next = 0
    }

    /// What the emulator knows, shared by its routes and the test.
    private final class Ledger: Sendable {
        let state = Mutex(State())
    }

    private let ledger: Ledger
    private let server: LoopbackServer<BasicRequestContext>

    private init(ledger: Ledger, server: LoopbackServer<BasicRequestContext>) {
        self.ledger = ledger
        self.server = server
    }

    static func start() async throws -> GraphEmulator {
        let ledger = Ledger()
        return GraphEmulator(ledger: ledger, server: try await LoopbackServer(router: router(ledger)))
    }

    var graphURL: String { server.baseURL }

    func addNumber(phoneNumberID: String, display: String, token: String) {
        ledger.state.withLock { state in
            state.numbers[phoneNumberID] = display
            state.validTokens.insert(token)
        }
    }

    /// The next sends answer these faults, in order, before succeeding again.
    func inject(_ faults: [Fault]) { ledger.state.withLock { $0.faults += faults } }

    /// Every accepted send, oldest first, as JSON objects.
    var accepted: [[String: Any]] {
        ledger.state.withLock { $0.rawSent }.compactMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }
    }

    func stop() { server.stop() }

    private static func router(_ ledger: Ledger) -> Router<BasicRequestContext> {
        let router = Router()
        router.get(":version/:number") { request, context in
            let number = context.parameters.get("number") ?? ""
            guard authorized(request, ledger) else { return Self.error(401, code: 190, "Invalid OAuth access token.") }
            guard let display = ledger.state.withLock({ $0.numbers[number] }) else {
                return Self.error(400, code: 100, "Unsupported get request.")
            }
            return Self.json(200, ["id": number, "display_phone_number": display, "verified_name": "Test"])
        }
        router.post(":version/:number/messages") { request, context in
            let number = context.parameters.get("number") ?? ""
            guard authorized(request, ledger) else { return Self.error(401, code: 190, "Invalid OAuth access token.") }
            let fault: Fault? = ledger.state.withLock { $0.faults.isEmpty ? nil : $0.faults.removeFirst() }
            switch fault {
            case .throttled: return Self.error(429, code: 130429, "Rate limit hit")
            case .serverError: return Self.error(500, code: 2, "Service temporarily unavailable")
            case .badToken: return Self.error(401, code: 190, "Error validating access token")
            case nil: break
            }
            var request = request
            let buffer = try await request.collectBody(upTo: 1 << 20)
            guard let object = try? JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) as? [String: Any],
                  object["messaging_product"] as? String == "whatsapp",
                  object["to"] != nil || object["recipient"] != nil else {
                return Self.error(400, code: 100, "Invalid parameter")
            }
            var annotated = object
            annotated["_phone_number_id"] = number
            let recorded = (try? JSONSerialization.data(withJSONObject: annotated)) ?? Data()
            let id = ledger.state.withLock { state -> String in
                state.next += 1
                state.rawSent.append(recorded)
                return "wamid.EMU\(state.next)"
            }
            return Self.json(200, ["messaging_product": "whatsapp",
                                   "contacts": [["input": object["to"] ?? object["recipient"] ?? "", "wa_id": object["to"] ?? ""]],
                                   "messages": [["id": id]]])
        }
        return router
    }

    private static func authorized(_ request: Request, _ ledger: Ledger) -> Bool {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else { return false }
        let token = String(header.dropFirst("Bearer ".count))
        return ledger.state.withLock { $0.validTokens.contains(token) }
    }

    static func json(_ status: Int, _ object: [String: Any]) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object)) ?? Data()
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func error(_ status: Int, code: Int, _ message: String) -> Response {
        json(status, ["error": ["message": message, "type": "OAuthException", "code": code, "fbtrace_id": "EMU"]])
    }
}
