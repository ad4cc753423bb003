import CRMCore
import Foundation

/// The settings of a `cloud` instance (SPEC §4). The token and the app secret
/// are credentials: stored encrypted, never shown by the API.
public struct CloudConfiguration: Sendable, Equatable, Codable {
    public var phoneNumberID: String
    public var accessToken: String
    public var appSecret: String
    public var verifyToken: String
    /// Meta's Graph API unless overridden (tests point it at an emulator).
    public var graphURL: String
    public var apiVersion: String

    public static let defaultGraphURL = "https://graph.facebook.com"
    public static let defaultAPIVersion = "v23.0"

    public init(phoneNumberID: String, accessToken: String, appSecret: String, verifyToken: String,
                graphURL: String = CloudConfiguration.defaultGraphURL, apiVersion: String = CloudConfiguration.defaultAPIVersion) {
        self.phoneNumberID = phoneNumberID; self.accessToken = accessToken; self.appSecret = appSecret
        self.verifyToken = verifyToken; self.graphURL = graphURL; self.apiVersion = apiVersion
    }

    /// Reads the `config` object of `POST /api/instances`, naming the field that is wrong.
    public init(json: [String: JSONValue]) throws(CloudConfigurationError) {
        func required(_ key: String) throws(CloudConfigurationError) -> String {
            guard case .string(let value)? = json[key], !value.isEmpty else { throw CloudConfigurationError(field: key) }
            return value
        }
        func optional(_ key: String, _ fallback: String) throws(CloudConfigurationError) -> String {
            guard let value = json[key], value != .null else { return fallback }
            guard case .string(let text) = value, !text.isEmpty else { throw CloudConfigurationError(field: key) }
            return text
        }
        self.init(phoneNumberID: try required("phone_number_id"), accessToken: try required("access_token"),
                  appSecret: try required("app_secret"), verifyToken: try required("verify_token"),
                  graphURL: try optional("graph_url", CloudConfiguration.defaultGraphURL),
                  apiVersion: try optional("api_version", CloudConfiguration.defaultAPIVersion))
        guard graphURL.hasPrefix("http://") || graphURL.hasPrefix("https://") else {
            throw CloudConfigurationError(field: "graph_url")
        }
    }

    /// `https://graph.facebook.com/v23.0/<phone number id>` and below.
    func endpoint(_ suffix: String = "") -> String {
        let base = graphURL.hasSuffix("/") ? String(graphURL.dropLast()) : graphURL
        return "\(base)/\(apiVersion)/\(phoneNumberID)\(suffix)"
    }
}

/// A `cloud` instance's config with a missing or malformed field.
public struct CloudConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var field: String
    public var description: String { "config.\(field) is missing or not a valid string" }
}
