import CRMCore
import CRMServer
import CRMSessions
import Foundation
import GRDB
import XCTest

/// A signed webhook whose message `timestamp` is absurd is stored with its
/// arrival time instead; rows stored with absurd times before that check
/// still list and still reach bots. Nothing of it may stop the daemon.
final class CloudHostileTimestampTests: XCTestCase {
    var host: CloudTestHost!

    /// Answers with the text and the times the bot sees: the message's, and
    /// its conversation's as `crm.conversation` reads them from storage.
    static let bot = #"""
        on("message", function(msg)
          local c = crm.conversation(msg.conversation)
          msg:reply(string.format("eco: %s | %d | %d | %d", msg.text, msg.at, c.last_message_at, c.last_inbound_at))
        end)
        """#

    override func setUp() async throws {
        host = try await CloudTestHost.start(bot: Self.bot)
    }

    override func tearDown() async throws {
        await host.stop()
    }

    func test_aTimestampOf1e19IsStoredAsTheArrivalTimeAndListsAndReachesTheBot() async throws {
        try await assertArrivalTimeStands(for: "1e19", wamid: "wamid.HUGE")
    }

    func test_aTimestampBefore1970IsStoredAsTheArrivalTimeAndListsAndReachesTheBot() async throws {
        try await assertArrivalTimeStands(for: "-100000000000", wamid: "wamid.NEGATIVE")
    }

    func test_aTimestampPastInt64OrInTheFutureIsStoredAsTheArrivalTime() async throws {
        try await assertArrivalTimeStands(for: "99999999999999999999", wamid: "wamid.WIDE")
        try await assertArrivalTimeStands(for: "\(Int(Date().timeIntervalSince1970) + 86_400 * 365)", wamid: "wamid.FUTURE")
    }

    func test_rowsStoredWithAbsurdTimesBeforeTheCheckStillListAndReachTheBot() async throws {
        let vendas = try await host.createCloudInstance("Vendas", phoneNumberID: "PN-VENDAS", token: "token-vendas", secret: "s-vendas")
        try await post(vendas, wamid: "wamid.FIRST", text: "primeira", timestamp: nil)
        _ = try await host.replies(1)
        let database = try DatabaseQueue(path: host.folder.appendingPathComponent("data/crm.sqlite").path)
        try await database.write { db in
            try db.execute(sql: "UPDATE messages SET created_at = 1e19")
            try db.execute(sql: "UPDATE conversations SET last_message_at = 1e19, last_inbound_at = -1e11, created_at = -1e300")
        }
        try await database.close()

        let conversations = try await host.get("/api/conversations")
        XCTAssertEqual(conversations.status, 200)
        let items = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(conversations.body)) as? [String: Any])["items"]
        let row = try XCTUnwrap((items as? [[String: Any]])?.first)
        XCTAssertEqual(row["last_message_at"] as? String, "9999-12-31T23:59:59Z")
        let id = try XCTUnwrap(row["id"] as? Int)
        let messages = try await host.get("/api/conversations/\(id)/messages")
        XCTAssertEqual(messages.status, 200)
        XCTAssertTrue(String(decoding: messages.body, as: UTF8.self).contains("9999-12-31T23:59:59Z"))

        try await post(vendas, wamid: "wamid.SECOND", text: "segunda", timestamp: nil)
        let replies = try await host.replies(2)
        XCTAssertEqual(replies.count, 2, "the bot did not answer after reading the stored times")
        let parts = try XCTUnwrap((replies.last?["text"] as? [String: Any])?["body"] as? String).components(separatedBy: " | ")
        XCTAssertEqual(parts.first, "eco: segunda")
        XCTAssertEqual(parts.dropFirst(2).first, "\(Date.latestKept.wholeSecondsSince1970)")
    }

    // MARK: Helpers

    private func post(_ instance: String, wamid: String, text: String, timestamp: String?) async throws {
        let body = CloudPayloads.text(phoneNumberID: "PN-VENDAS", wamid: wamid, from: "5511911112222", body: text,
                                      rawTimestamp: timestamp)
        let status = try await host.post(body, to: instance, signature: CloudSignature.header(body: body, appSecret: "s-vendas"))
        XCTAssertEqual(status, 200, "webhook \(wamid)")
    }

    /// Posts the timestamp, then checks the stored message, the listing over
    /// HTTP and the bot's reply all carry a time within the post's span.
    private func assertArrivalTimeStands(for timestamp: String, wamid: String,
                                         file: StaticString = #filePath, line: UInt = #line) async throws {
        let tenant = try await host.tenant()
        var vendas = try await host.daemon.instances(for: tenant).first { $0.name == "Vendas" }?.id
        if vendas == nil {
            vendas = try await host.createCloudInstance("Vendas", phoneNumberID: "PN-VENDAS", token: "token-vendas", secret: "s-vendas")
        }
        let already = host.emulator.accepted.count
        let before = Date().addingTimeInterval(-1).wholeSecondsSince1970
        try await post(try XCTUnwrap(vendas), wamid: wamid, text: timestamp, timestamp: timestamp)
        let replies = try await host.replies(already + 1)
        let after = Date().addingTimeInterval(1).wholeSecondsSince1970
        XCTAssertEqual(replies.count, already + 1, "the bot did not answer", file: file, line: line)

        let listing = try await host.get("/api/conversations")
        XCTAssertEqual(listing.status, 200, file: file, line: line)
        let conversations = try await host.daemon.conversations(ConversationQuery(), for: tenant).items
        let conversation = try XCTUnwrap(conversations.first, file: file, line: line)
        let listed = try XCTUnwrap(conversation.last_message_at, file: file, line: line).wholeSecondsSince1970
        XCTAssertTrue((before...after).contains(listed), "last_message_at \(listed)", file: file, line: line)
        let messages = try await host.get("/api/conversations/\(conversation.id)/messages")
        XCTAssertEqual(messages.status, 200, file: file, line: line)
        let stored = try await host.daemon.messages(in: conversation.id, cursor: nil, limit: 50, for: tenant).items
            .first { $0.whatsapp_message_id == wamid }
        let created = try XCTUnwrap(stored?.created_at, file: file, line: line).wholeSecondsSince1970
        XCTAssertTrue((before...after).contains(created), "created_at \(created)", file: file, line: line)

        let reply = try XCTUnwrap((replies.last?["text"] as? [String: Any])?["body"] as? String, file: file, line: line)
        let parts = reply.components(separatedBy: " | ")
        XCTAssertEqual(parts.first, "eco: \(timestamp)", file: file, line: line)
        let seen = try XCTUnwrap(Int64(parts.dropFirst().first ?? ""), reply, file: file, line: line)
        XCTAssertTrue((before...after).contains(seen), "msg.at \(seen)", file: file, line: line)
    }
}
