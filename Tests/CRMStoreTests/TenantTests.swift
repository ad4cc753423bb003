import CRMCore
import CRMStore
import Foundation
import XCTest

final class TenantTests: XCTestCase {
    func test_apiKeyIsShownOnceAndOnlyItsHashIsStored() throws {
        let fixture = try StoreFixture()
        let created = try fixture.store.createAPIKey(companyID: fixture.acme.id, name: "admin")
        XCTAssertEqual(created.record.hash, Store.hash(created.plaintext))
        XCTAssertNotEqual(created.record.hash, created.plaintext)
        XCTAssertEqual(try fixture.store.apiKey(plaintext: created.plaintext)?.companyID, fixture.acme.id)
        XCTAssertNil(try fixture.store.apiKey(plaintext: created.plaintext + "x"))
        let raw = try Data(contentsOf: fixture.folder.appendingPathComponent("crm.sqlite"))
            + ((try? Data(contentsOf: fixture.folder.appendingPathComponent("crm.sqlite-wal"))) ?? Data())
        XCTAssertNil(raw.range(of: Data(created.plaintext.utf8)), "the plaintext key must not be on disk")
    }

    func test_revokedKeyNoLongerAuthenticatesAndOtherCompanyCannotRevoke() throws {
        let fixture = try StoreFixture()
        let created = try fixture.store.createAPIKey(companyID: fixture.acme.id, name: "ci", plaintext: "bootstrap-key-0123456789")
        XCTAssertThrowsError(try fixture.store.revokeAPIKey(id: created.record.id, companyID: fixture.globex.id)) {
            XCTAssertEqual($0 as? StoreError, .notFound(kind: "api key", id: String(created.record.id)))
        }
        XCTAssertNotNil(try fixture.store.apiKey(plaintext: "bootstrap-key-0123456789"))
        try fixture.store.revokeAPIKey(id: created.record.id, companyID: fixture.acme.id)
        XCTAssertNil(try fixture.store.apiKey(plaintext: "bootstrap-key-0123456789"))
    }

    func test_companyNamesAreUnique() throws {
        let fixture = try StoreFixture()
        XCTAssertThrowsError(try fixture.store.createCompany(name: "acme")) {
            XCTAssertEqual($0 as? StoreError, .companyExists(name: "acme"))
        }
    }
}
