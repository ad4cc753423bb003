import AsyncHTTPClient
import CRMCore
import Foundation
import NIOCore
import NIOHTTP1

/// An instance on WhatsApp's Business Cloud API: Graph API calls out, signed
/// webhooks in (the HTTP layer hands them to `CloudWebhook`). No QR: the
/// access token is the session.
public final class CloudConnector: Connector {
    public let instanceID: InstanceID
    public let configuration: CloudConfiguration
    private let client: HTTPClient
    /// Quick retries inside one hand-over; the outbox retries further with its own backoff.
    private let attempts: Int
    private let firstBackoff: Duration
    /// The 24-hour customer-service window of the Cloud API.
    public static let serviceWindow: TimeInterval = 24 * 3600

    public init(instanceID: InstanceID, configuration: CloudConfiguration, client: HTTPClient = .shared,
                attempts: Int = 4, firstBackoff: Duration = .milliseconds(100)) {
        self.instanceID = instanceID
        self.configuration = configuration
        self.client = client
        self.attempts = attempts
        self.firstBackoff = firstBackoff
    }

    /// Checks the token by reading the number; reports `CONNECTED` with its digits.
    public func start(sink: ConnectorSink) async throws {
        var request = HTTPClientRequest(url: configuration.endpoint("?fields=display_phone_number,verified_name"))
        request.headers.add(name: "Authorization", value: "Bearer \(configuration.accessToken)")
        let response = try await client.execute(request, timeout: .seconds(15))
        let body = Array(buffer: try await response.body.collect(upTo: 1 << 20))
        guard response.status.code == 200 else {
            let error = CloudAPIError(httpStatus: Int(response.status.code), body: body)
            let status: InstanceStatus = error.code == CloudAPIError.tokenCode ? .loggedOut : .failed
            await sink.connectionChanged(instanceID, ConnectionEvent(status: status, phoneNumber: nil, reason: error.failure.reason))
            throw error.failure
        }
        let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
        let display = object?["display_phone_number"] as? String ?? ""
        await sink.connectionChanged(instanceID, ConnectionEvent(status: .connected, phoneNumber: PhoneNumber.digits(display)))
    }

    public func stop() async {}

    public func logout() async {}

    /// Whether free text may go to a contact who last wrote at `lastInboundAt`.
    public static func isWindowOpen(lastInboundAt: Date?, now: Date = Date()) -> Bool {
        guard let lastInboundAt else { return false }
        return now.timeIntervalSince(lastInboundAt) < serviceWindow
    }

    public func send(_ message: OutgoingMessage) async throws(SendFailure) -> String {
        if message.content.template == nil && !CloudConnector.isWindowOpen(lastInboundAt: message.lastInboundAt) {
            throw SendFailure(reason: "outside the 24-hour customer-service window: free text is refused, send a template",
                              retryable: false)
        }
        let body: Data
        do {
            body = try JSONSerialization.data(withJSONObject: CloudMessageRequest.body(for: message))
        } catch {
            throw SendFailure(reason: "cannot encode the message: \(error)", retryable: false)
        }
        var backoff = firstBackoff
        var lastFailure = SendFailure(reason: "not sent", retryable: true)
        for attempt in 1...max(attempts, 1) {
            do {
                return try await post(body)
            } catch let failure as SendFailure {
                lastFailure = failure
                guard failure.retryable, attempt < attempts else { throw failure }
            } catch {
                lastFailure = SendFailure(reason: "Cloud API unreachable: \(error)", retryable: true)
                guard attempt < attempts else { throw lastFailure }
            }
            let jitter = Double.random(in: 0.5...1.5)
            try? await Task.sleep(for: backoff * jitter)
            backoff *= 2
        }
        throw lastFailure
    }

    private func post(_ body: Data) async throws -> String {
        var request = HTTPClientRequest(url: configuration.endpoint("/messages"))
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(configuration.accessToken)")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await client.execute(request, timeout: .seconds(30))
        let answer = Array(buffer: try await response.body.collect(upTo: 1 << 20))
        guard response.status.code == 200 else {
            throw CloudAPIError(httpStatus: Int(response.status.code), body: answer).failure
        }
        let object = (try? JSONSerialization.jsonObject(with: Data(answer))) as? [String: Any]
        guard let id = ((object?["messages"] as? [[String: Any]])?.first)?["id"] as? String else {
            throw SendFailure(reason: "Cloud API answered without a message id", retryable: false)
        }
        return id
    }
}
