import CRMCore
import Foundation
@testable import CRMStore

/// A store in a fresh temporary folder, removed when the test ends.
final class TemporaryStore {
    let folder: URL
    private(set) var store: CRMStore
    let durability: StoreDurability

    init(durability: StoreDurability = .full) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("crm-store-\(UUID().uuidString)")
        self.durability = durability
        store = try CRMStore(folder: folder, durability: durability)
    }

    /// Closes and opens the database again, as after a restart.
    func reopen() throws { store = try CRMStore(folder: folder, durability: durability) }

    /// A company with one connected instance on `phone`.
    func connectedInstance(company: Int64? = nil, phone: String, name: String = "sales") throws -> InstanceRecord {
        let owner = try company ?? store.createCompany(name: "Acme \(phone)").id
        let instance = try store.createInstance(company: owner, name: name)
        try store.claimPhone(phone, for: instance.id)
        return try store.instance(instance.id)
    }

    /// Stores one inbound message in its own transaction.
    @discardableResult
    func ingest(_ message: InboundMessage) throws -> IngestResult {
        try store.transactionNow { try $0.ingest(message) }
    }

    /// Claims due sends in a transaction of their own.
    func claim(now: Date = Date(), limit: Int, perInstance: Int = .max,
               skipping: Set<InstanceID> = []) throws -> [OutboxEntry] {
        try store.transactionNow { transaction in
            try transaction.claimDueSends(now: now, limit: limit, perInstance: perInstance, skipping: skipping)
        }.entries
    }

    func count(_ table: String) throws -> Int {
        try store.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)")! }
    }

    deinit { try? FileManager.default.removeItem(at: folder) }
}

func inbound(_ instance: InstanceRecord, id: String, phone: String? = nil, userID: String? = nil,
             username: String? = nil, name: String? = nil, text: String = "oi", group: GroupRef? = nil,
             at: Date = Date()) -> InboundMessage {
    InboundMessage(instanceID: instance.id, whatsappID: id,
                   contact: ContactIdentity(phone: phone, userID: userID, username: username),
                   contactName: name, group: group, text: text, at: at)
}
