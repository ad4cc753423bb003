import CRMCore
import XCTest
@testable import CRMStore

final class TenantTests: XCTestCase {
    func test_apiKeyIsStoredOnlyAsHashAndFindsItsCompany() throws {
        let temporary = try TemporaryStore()
        let acme = try temporary.store.createCompany(name: "Acme")
        let key = try temporary.store.createAPIKey(company: acme.id, name: "ci")
        XCTAssertEqual(try temporary.store.company(forKey: key.plaintext)?.id, acme.id)
        XCTAssertNil(try temporary.store.company(forKey: key.plaintext + "x"))
        let stored = try temporary.store.pool.read { db in try String.fetchAll(db, sql: "SELECT hash FROM api_keys") }
        XCTAssertEqual(stored, [CRMStore.hash(key: key.plaintext)])
        XCTAssertFalse(stored[0].contains(key.plaintext))
    }

    func test_revokedKeyNoLongerFindsItsCompany() throws {
        let temporary = try TemporaryStore()
        let acme = try temporary.store.createCompany(name: "Acme")
        let other = try temporary.store.createCompany(name: "Other")
        let key = try temporary.store.createAPIKey(company: acme.id, name: "ci")
        XCTAssertThrowsError(try temporary.store.revokeAPIKey(id: key.id, company: other.id)) { error in
            XCTAssertEqual(error as? StoreError, .apiKeyNotFound(key.id))
        }
        XCTAssertNotNil(try temporary.store.company(forKey: key.plaintext))
        try temporary.store.revokeAPIKey(id: key.id, company: acme.id)
        XCTAssertNil(try temporary.store.company(forKey: key.plaintext))
    }

    func test_keyRevokedBehindTheStoresBackStopsWorkingWithinTheCacheLifetime() throws {
        let temporary = try TemporaryStore()
        let acme = try temporary.store.createCompany(name: "Acme")
        let key = try temporary.store.createAPIKey(company: acme.id, name: "ci")
        XCTAssertEqual(try temporary.store.company(forKey: key.plaintext)?.id, acme.id)
        try temporary.store.pool.write { db in try db.execute(sql: "UPDATE api_keys SET revoked_at = 1") }
        let hash = CRMStore.hash(key: key.plaintext)
        let now = Date()
        XCTAssertEqual(temporary.store.keyCache.value(for: hash, now: now)?.id, acme.id)
        XCTAssertNil(temporary.store.keyCache.value(for: hash, now: now.addingTimeInterval(temporary.store.keyCache.lifetime + 0.01)))
        XCTAssertNil(try temporary.store.company(forKey: key.plaintext))
    }

    func test_anotherCompanysInstanceIsNotFound() throws {
        let temporary = try TemporaryStore()
        let acme = try temporary.store.createCompany(name: "Acme")
        let other = try temporary.store.createCompany(name: "Other")
        let instance = try temporary.store.createInstance(company: acme.id, name: "sales", id: "A0B1C2D3-0000-4000-8000-000000000001")
        XCTAssertEqual(instance.id, "a0b1c2d3-0000-4000-8000-000000000001")
        XCTAssertEqual(try temporary.store.instances(company: other.id), [])
        for attempt in [
            { _ = try temporary.store.instance(instance.id, company: other.id) },
            { _ = try temporary.store.renameInstance(instance.id, company: other.id, to: "x") },
            { try temporary.store.deleteInstance(instance.id, company: other.id) },
        ] {
            XCTAssertThrowsError(try attempt()) { XCTAssertEqual($0 as? StoreError, .instanceNotFound(instance.id)) }
        }
        XCTAssertEqual(try temporary.store.instance(instance.id, company: acme.id).name, "sales")
    }

    func test_phoneConnectedOnOneInstanceOnly() throws {
        let temporary = try TemporaryStore()
        let first = try temporary.connectedInstance(phone: "+55 11 99999-8888")
        let second = try temporary.store.createInstance(company: first.companyID, name: "support")
        try temporary.store.updateStatus(second.id, to: .qr, qrCode: "qr-1")
        XCTAssertThrowsError(try temporary.store.claimPhone("5511999998888", for: second.id)) { error in
            XCTAssertEqual(error as? StoreError, .phoneInUse(phone: "5511999998888", heldBy: first.id))
        }
        XCTAssertEqual(try temporary.store.instance(first.id), first, "nothing of the holder changed")
        XCTAssertEqual(try temporary.store.instance(second.id).status, .qr)
        try temporary.store.updateStatus(first.id, to: .loggedOut)
        try temporary.store.claimPhone("5511999998888", for: second.id)
        XCTAssertEqual(try temporary.store.instance(second.id).status, .connected)
    }

    func test_credentialsAreErasedWithTheirInstance() throws {
        let temporary = try TemporaryStore()
        let instance = try temporary.connectedInstance(phone: "5511999998888")
        try temporary.store.putCredentials(Data([1, 2, 3]), for: instance.id)
        XCTAssertEqual(try temporary.store.credentials(for: instance.id), Data([1, 2, 3]))
        try temporary.ingest(inbound(instance, id: "w1", phone: "5511900000001"))
        try temporary.store.deleteInstance(instance.id, company: instance.companyID)
        XCTAssertNil(try temporary.store.credentials(for: instance.id))
        XCTAssertEqual(try temporary.count("conversations"), 0)
        XCTAssertEqual(try temporary.count("messages"), 0)
    }
}
