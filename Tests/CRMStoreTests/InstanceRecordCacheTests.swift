import CRMCore
import XCTest
@testable import CRMStore

/// Instance rows are kept across pipeline transactions; every change to one
/// must show in the next transaction.
final class InstanceRecordCacheTests: XCTestCase {
    func test_statusNameAndNumberChangesShowInTheNextTransaction() throws {
        let temporary = try TemporaryStore()
        let instance = try temporary.connectedInstance(phone: "5511999998888")
        XCTAssertNoThrow(try temporary.ingest(inbound(instance, id: "w1", phone: "5511955550000")))

        try temporary.store.updateStatus(instance.id, to: .disconnected)
        XCTAssertThrowsError(try temporary.ingest(inbound(instance, id: "w2", phone: "5511955550000"))) { error in
            XCTAssertEqual(error as? StoreError, .instanceNotConnected(instance.id, status: .disconnected))
        }

        try temporary.store.claimPhone("5511977776666", for: instance.id)
        _ = try temporary.store.renameInstance(instance.id, company: instance.companyID, to: "vendas")
        let seen = try temporary.store.transactionNow { try $0.instance(instance.id) }
        XCTAssertEqual(seen?.name, "vendas")
        XCTAssertEqual(seen?.phoneNumber, "5511977776666")
        XCTAssertEqual(seen?.status, .connected)
        XCTAssertNoThrow(try temporary.ingest(inbound(instance, id: "w3", phone: "5511955550000")))

        try temporary.store.deleteInstance(instance.id, company: instance.companyID)
        XCTAssertNil(try temporary.store.transactionNow { try $0.instance(instance.id) })
    }
}
