import CRMCore
import CRMScripting
import CRMStore
import Synchronization

/// Which part of the scripts directory serves an instance: its company's
/// (SPEC §6). Instance names are chosen by tenants, so a bot is found through
/// the instance's owner, never through its name alone.
///
/// A company's folder is named after the company; when two companies share a
/// name, the folder belongs to the first (the one `keys create --company`
/// finds) and the later one runs no bots, so that no company can take
/// another's bots by naming itself alike.
final class ScriptOwners: Sendable {
    private let store: CRMStore
    /// Each company's folder, or nil when its name is another's. Companies
    /// are never renamed and a later namesake never becomes the first, so an
    /// answer holds for good; an unknown company reads the list again.
    private let known = Mutex<[Int64: CompanyFolder?]>([:])

    init(store: CRMStore) {
        self.store = store
    }

    /// The part of the directory whose folders may bind `instance`.
    func folder(of instance: InstanceInfo) -> CompanyFolder? {
        guard let record = try? store.instance(instance.id) else { return nil }
        return folder(ofCompany: record.companyID)
    }

    /// The part of the directory of company `id`; nil when it may run no bots.
    func folder(ofCompany id: Int64) -> CompanyFolder? {
        if let answer = known.withLock({ $0[id] }) { return answer }
        guard let companies = try? store.companies() else { return nil }
        var firstByName: [String: Int64] = [:]
        for company in companies where firstByName[company.name] == nil { firstByName[company.name] = company.id }
        let folders = companies.map { company in
            (company.id, firstByName[company.name] == company.id ? CompanyFolder(company: company.name) : nil)
        }
        return known.withLock { known in
            for (company, folder) in folders { known[company] = folder }
            return known[id] ?? nil
        }
    }
}
