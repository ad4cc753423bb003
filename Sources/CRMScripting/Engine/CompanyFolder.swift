import Foundation

/// The part of the scripts directory that serves one company (SPEC §6): the
/// top of the directory for the company `default`, `companies/<name>/` for any
/// other, each with its own `_shared/`. A bot folder binds only instances of
/// the company whose part holds it, because instance names are chosen by
/// tenants and say nothing about who owns a folder.
public struct CompanyFolder: Hashable, Sendable, CustomStringConvertible {
    /// The company's name, as `crm-host keys create --company` spells it.
    public let company: String
    /// Where its bot folders are, relative to the scripts directory: empty for `default`.
    public let path: String

    /// The name of the company whose bots sit at the top of the directory.
    public static let defaultCompany = "default"
    /// The folder under which every other company has a folder of its own.
    public static let companiesFolder = "companies"
    /// The company of a single-company host: today's layout, at the top.
    public static let `default` = CompanyFolder(company: defaultCompany, path: "")

    /// The folder of `company`; nil when its name cannot be one folder name
    /// (empty, `.` or `..`, hidden, or holding `/` or NUL), so that no name
    /// reaches outside `companies/`: such a company runs no bots.
    public init?(company: String) {
        if company == CompanyFolder.defaultCompany {
            self = .default
            return
        }
        guard !company.isEmpty, !company.hasPrefix("."), !company.contains("/"), !company.contains("\0") else {
            return nil
        }
        self.init(company: company, path: "\(CompanyFolder.companiesFolder)/\(company)")
    }

    private init(company: String, path: String) {
        self.company = company
        self.path = path
    }

    public var description: String { company }

    /// The company's folder on disk.
    func url(in directory: URL) -> URL {
        path.isEmpty ? directory : directory.appendingPathComponent(path, isDirectory: true)
    }

    /// A bot folder's path relative to the scripts directory: `vendas`, `companies/beta/vendas`.
    public func path(of folder: String) -> String {
        path.isEmpty ? folder : "\(path)/\(folder)"
    }

    /// Whether `name`, found in this company's folder, is a bot folder: not
    /// `_shared`, not hidden, and at the top not the other companies' folder.
    func isBotFolder(_ name: String) -> Bool {
        FolderBinding.isBotFolder(name) && !(path.isEmpty && name == CompanyFolder.companiesFolder)
    }

    /// The company a path relative to the scripts directory belongs to;
    /// nil when it may concern every company (the directory itself, or the
    /// `companies` folder as a whole) or names a company that cannot have bots.
    static func owner(ofPath relative: String) -> Owner {
        let parts = relative.split(separator: "/", omittingEmptySubsequences: true)
        guard let first = parts.first else { return .everyone }
        guard first == companiesFolder else { return .company(.default) }
        guard parts.count > 1 else { return .everyone }
        return CompanyFolder(company: String(parts[1])).map(Owner.company) ?? .nobody
    }

    /// Whom a change on disk concerns.
    enum Owner: Equatable {
        case company(CompanyFolder)
        case everyone
        case nobody
    }
}
