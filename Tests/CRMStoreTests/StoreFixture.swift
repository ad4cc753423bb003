import CRMCore
import CRMStore
import Foundation
import XCTest

/// A store in a fresh temporary folder, with the brief's two companies.
final class StoreFixture {
    let folder: URL
    let store: Store
    let acme: CompanyRecord
    let globex: CompanyRecord

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("crm-store-\(UUID().uuidString)")
        store = try Store(folder: folder)
        acme = try store.createCompany(name: "acme")
        globex = try store.createCompany(name: "globex")
    }

    deinit { try? FileManager.default.removeItem(at: folder) }

    /// An instance of `company`, connected with `phone`.
    func connectedInstance(_ name: String, phone: String, company: CompanyRecord? = nil) throws -> InstanceRecord {
        let instance = try store.createInstance(companyID: (company ?? acme).id, name: name)
        return try store.claimPhoneNumber(instanceID: instance.id, phoneNumber: phone)
    }

    /// Stores one inbound message in its own transaction, as the pipeline would.
    @discardableResult
    func receive(_ message: InboundMessage) async throws -> InboundRecording {
        try await store.transaction { transaction in try transaction.recordInbound(message) }
    }

    func message(_ instance: InstanceRecord, id: String, phone: String? = nil, userID: String? = nil,
                 username: String? = nil, name: String? = nil, text: String = "oi",
                 group: GroupRef? = nil, at: Date = Date()) -> InboundMessage {
        InboundMessage(instanceID: instance.id, whatsappID: id,
                       contact: ContactIdentity(phone: phone, userID: userID, username: username), contactName: name,
                       group: group, sender: group == nil ? nil : ContactIdentity(phone: phone, userID: userID),
                       text: text, at: at)
    }
}
