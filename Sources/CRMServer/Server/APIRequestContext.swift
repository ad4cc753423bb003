import Hummingbird

/// The request context of the API: the tenant, once the key was checked.
public struct APIRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var tenant: Tenant?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }

    /// Bodies over 1 MiB are refused (SPEC §8).
    public var maxUploadSize: Int { APIRequestContext.bodyLimit }
    public static let bodyLimit = 1 << 20

    /// The tenant, for routes behind the authentication middleware.
    public func requireTenant() throws -> Tenant {
        guard let tenant else { throw APIError.unauthorized }
        return tenant
    }
}
