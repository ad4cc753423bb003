import CRMStore
import Foundation
import XCTest

final class MigrationTests: XCTestCase {
    func test_freshDatabaseAppliesEveryNamedMigration() throws {
        let fixture = try StoreFixture()
        XCTAssertEqual(try fixture.store.appliedMigrations(),
                       ["v1-tenants-and-instances", "v1-conversations-and-messages", "v1-script-state-and-outbox"])
        XCTAssertTrue(FileManager.default.fileExists(atPath: fixture.folder.appendingPathComponent("crm.sqlite").path))
    }

    func test_reopeningKeepsDataAndDoesNotMigrateTwice() throws {
        let fixture = try StoreFixture()
        let instance = try fixture.store.createInstance(companyID: fixture.acme.id, name: "vendas")
        let reopened = try Store(folder: fixture.folder)
        XCTAssertEqual(try reopened.instance(id: instance.id)?.name, "vendas")
        XCTAssertEqual(try reopened.appliedMigrations().count, 3)
    }
}
