import CRMCore
import GRDB
import XCTest
@testable import CRMStore

/// `transactionNow` begins and commits with statements of its own: a body
/// that fails leaves nothing of what it wrote, and the store goes on.
final class WriteTransactionTests: XCTestCase {
    private struct Refused: Error {}

    func test_aBodyThatThrowsLeavesNothingItWrote() throws {
        let temporary = try TemporaryStore()
        let instance = try temporary.connectedInstance(phone: "5511999998888")
        XCTAssertThrowsError(try temporary.store.transactionNow { transaction in
            _ = try transaction.ingest(inbound(instance, id: "first", phone: "5511955550000", text: "oi"))
            throw Refused()
        }) { XCTAssertTrue($0 is Refused) }
        XCTAssertEqual(try temporary.count("messages"), 0)
        XCTAssertEqual(try temporary.count("conversations"), 0)

        try temporary.store.transactionNow { transaction in
            _ = try transaction.ingest(inbound(instance, id: "second", phone: "5511955550000", text: "oi"))
        }
        XCTAssertEqual(try temporary.count("messages"), 1)
    }

    func test_aStatementThatFailsRollsTheWholeTransactionBack() throws {
        let temporary = try TemporaryStore()
        let instance = try temporary.connectedInstance(phone: "5511999998888")
        XCTAssertThrowsError(try temporary.store.transactionNow { transaction in
            _ = try transaction.ingest(inbound(instance, id: "first", phone: "5511955550000", text: "oi"))
            try transaction.db.execute(sql: "INSERT INTO messages(id) VALUES (NULL, 1)")
        }) { XCTAssertTrue($0 is DatabaseError) }
        XCTAssertEqual(try temporary.count("messages"), 0)

        let stored = try temporary.store.transactionNow { transaction in
            try transaction.ingest(inbound(instance, id: "first", phone: "5511955550000", text: "oi"))
        }
        guard case .stored = stored else { return XCTFail("the message was kept from the failed transaction: \(stored)") }
    }
}
