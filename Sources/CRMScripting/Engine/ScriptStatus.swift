import CRMCore
import Foundation

/// What `GET /api/scripts` shows of one instance's bot.
public struct ScriptStatus: Sendable, Equatable {
    public var instance: InstanceInfo
    /// The part of the scripts directory of the instance's company; nil when
    /// its company may run no bots.
    public var company: CompanyFolder?
    /// The folder bound to the instance, within its company's part; nil when
    /// none there matches its name or number.
    public var folder: String?
    /// Hash of the running version; nil when no version runs.
    public var version: String?
    public var loadedAt: Date?
    /// The last load or event failure, with file and line.
    public var lastError: ScriptFailure?
    public var lastErrorAt: Date?

    public init(instance: InstanceInfo, company: CompanyFolder? = nil, folder: String? = nil, version: String? = nil,
                loadedAt: Date? = nil, lastError: ScriptFailure? = nil, lastErrorAt: Date? = nil) {
        self.instance = instance; self.company = company; self.folder = folder; self.version = version; self.loadedAt = loadedAt
        self.lastError = lastError; self.lastErrorAt = lastErrorAt
    }

    /// The bound folder relative to the scripts directory, for the operator:
    /// `vendas`, `companies/beta/vendas`.
    public var path: String? {
        guard let company, let folder else { return nil }
        return company.path(of: folder)
    }
}

/// A version that could not replace the running one, for the log, the API and
/// the inbox's live events.
public struct ScriptProblem: Sendable, Equatable {
    public var instance: InstanceInfo
    /// The folder, within the company's part of the scripts directory.
    public var folder: String
    public var failure: ScriptFailure
    /// Whether an older version keeps answering.
    public var keptVersion: String?

    public init(instance: InstanceInfo, folder: String, failure: ScriptFailure, keptVersion: String?) {
        self.instance = instance; self.folder = folder; self.failure = failure; self.keptVersion = keptVersion
    }
}
