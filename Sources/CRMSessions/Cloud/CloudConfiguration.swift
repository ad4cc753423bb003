import CRMCore
import Foundation

/// The settings of a `cloud` instance (SPEC §4). The token and the app secret
/// are credentials: stored encrypted, never shown by the API.
public struct CloudConfiguration: Sendable, Equatable, Codable {
    public var phoneNumberID: String
    public var accessToken: String
    public var appSecret: String
    public var verifyToken: String
    /// Where the Graph API is: the host's setting (`serve --graph-url`),
    /// never an instance's, or a tenant could make the host call any address
    /// with a token of its choosing and claim any number with a fake answer.
    public var graphURL: String
    public var apiVersion: String

    public static let defaultGraphURL = "https://graph.facebook.com"
    public static let defaultAPIVersion = "v23.0"
    /// The config field that once chose the Graph API per instance.
    static let graphURLField = "graph_url"

    public init(phoneNumberID: String, accessToken: String, appSecret: String, verifyToken: String,
                graphURL: String = CloudConfiguration.defaultGraphURL, apiVersion: String = CloudConfiguration.defaultAPIVersion) {
        self.phoneNumberID = phoneNumberID; self.accessToken = accessToken; self.appSecret = appSecret
        self.verifyToken = verifyToken; self.graphURL = graphURL; self.apiVersion = apiVersion
    }

    /// Reads the `config` object of `POST /api/instances`, naming the field
    /// that is wrong; a `graph_url` in it is refused.
    /// - Parameter graphURL: the host's Graph API address.
    public init(json: [String: JSONValue], graphURL: String) throws(CloudConfigurationError) {
        guard json[CloudConfiguration.graphURLField] == nil else {
            throw CloudConfigurationError(field: CloudConfiguration.graphURLField,
                                          problem: "is not accepted: the Graph API's address is a host setting (serve --graph-url or CRM_GRAPH_URL)")
        }
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
                  appSecret: try required("app_secret"), verifyToken: try required("verify_token"), graphURL: graphURL,
                  apiVersion: try optional("api_version", CloudConfiguration.defaultAPIVersion))
        // Both become parts of the Graph API's path: they may not step out of it.
        guard CloudConfiguration.isPathSegment(phoneNumberID) else {
            throw CloudConfigurationError(field: "phone_number_id", problem: "must be letters, digits, '-' or '_' (at most 64)")
        }
        guard apiVersion.wholeMatch(of: /v[0-9]{1,3}(\.[0-9]{1,3})?/) != nil else {
            throw CloudConfigurationError(field: "api_version", problem: "must look like v23.0")
        }
    }

    private static func isPathSegment(_ text: String) -> Bool {
        text.utf8.count <= 64 && text.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
        }
    }

    /// Reads a stored config. Instances created before the Graph API's
    /// address became the host's may still hold a `graph_url`: it is ignored.
    public init(stored json: [String: JSONValue], graphURL: String) throws(CloudConfigurationError) {
        var json = json
        json[CloudConfiguration.graphURLField] = nil
        try self.init(json: json, graphURL: graphURL)
    }

    /// Whether `text` can be the host's Graph API address: an absolute
    /// `http` or `https` URL with a host.
    public static func isValidGraphURL(_ text: String) -> Bool {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
              let host = url.host, !host.isEmpty else { return false }
        return true
    }

    /// `https://graph.facebook.com/v23.0/<phone number id>` and below.
    func endpoint(_ suffix: String = "") -> String {
        let base = graphURL.hasSuffix("/") ? String(graphURL.dropLast()) : graphURL
        return "\(base)/\(apiVersion)/\(phoneNumberID)\(suffix)"
    }
}

/// A `cloud` instance's config with a field that is missing, malformed or not allowed.
public struct CloudConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var field: String
    public var problem = "is missing or not a valid string"
    public var description: String { "config.\(field) \(problem)" }
}
