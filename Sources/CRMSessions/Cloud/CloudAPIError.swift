import CRMCore
import Foundation

/// An error answer of the Graph API, classified: what may succeed later is
/// retried, what cannot (a bad token, an invalid recipient) fails at once.
struct CloudAPIError: Error, Sendable, Equatable {
    var httpStatus: Int
    var code: Int?
    var message: String

    /// Rate limits and throughput: retry after a pause.
    static let throttlingCodes: Set<Int> = [4, 80007, 130429, 131056]
    /// Expired or invalid access token.
    static let tokenCode = 190
    /// Free text outside the 24-hour window: Meta asks for a template.
    static let reengagementCode = 131047

    init(httpStatus: Int, body: [UInt8]) {
        self.httpStatus = httpStatus
        let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
        let error = object?["error"] as? [String: Any]
        code = error?["code"] as? Int
        let details = (error?["error_data"] as? [String: Any])?["details"] as? String
        message = details ?? error?["message"] as? String ?? "HTTP \(httpStatus)"
    }

    var isRetryable: Bool {
        if let code, CloudAPIError.throttlingCodes.contains(code) { return true }
        return httpStatus == 429 || httpStatus >= 500
    }

    var failure: SendFailure {
        let prefix = code.map { "Cloud API error \($0)" } ?? "Cloud API HTTP \(httpStatus)"
        return SendFailure(reason: "\(prefix): \(message)", retryable: isRetryable)
    }
}
