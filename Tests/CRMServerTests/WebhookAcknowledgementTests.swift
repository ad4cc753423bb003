import AsyncHTTPClient
import CRMCore
import CRMServer
import CRMSessions
import Foundation
import GRDBSQLite
import NIOCore
import XCTest

/// A webhook's 200 says its events are stored: statuses are answered only
/// after their commit, and what cannot be taken now (a full queue, a failed
/// commit) is answered 503 with `Retry-After`, so that Meta delivers it again.
final class WebhookAcknowledgementTests: XCTestCase {
    var host: CloudTestHost?

    override func tearDown() async throws {
        await host?.stop()
    }

    func test_statusWebhookIsAnswered200OnlyOnceItsStatusIsStored() async throws {
        let host = try await CloudTestHost.start()
        self.host = host
        let vendas = try await webhookURL(host)
        let text = CloudPayloads.text(phoneNumberID: "PN-VENDAS", wamid: "wamid.IN1", from: "5511911112222", body: "oi")
        let first = try await post(text, to: vendas)
        XCTAssertEqual(first.status, 200)
        let database = try SQLiteConnection(path: host.folder.appendingPathComponent("data/crm.sqlite").path)
        var reply: [String] = []
        for _ in 0..<200 where reply.first != "sent" {
            reply = try database.row("SELECT status, whatsapp_message_id FROM messages WHERE direction = 'out'")
            try await Task.sleep(for: .milliseconds(25))
        }
        XCTAssertEqual(reply.first, "sent")
        let delivered = CloudPayloads.status(phoneNumberID: "PN-VENDAS", wamid: reply[1], status: "delivered")

        try database.execute("""
            CREATE TRIGGER refuse_delivered BEFORE UPDATE OF status ON messages WHEN NEW.status = 'delivered'
            BEGIN SELECT RAISE(ABORT, 'injected fault'); END
            """)
        let refused = try await post(delivered, to: vendas)
        XCTAssertEqual(refused.status, 503, "a status that was not stored was acknowledged")
        XCTAssertEqual(refused.retryAfter, "1")
        XCTAssertEqual(try database.row("SELECT status FROM messages WHERE direction = 'out'"), ["sent"])

        try database.execute("DROP TRIGGER refuse_delivered")
        let accepted = try await post(delivered, to: vendas)
        XCTAssertEqual(accepted.status, 200)
        XCTAssertEqual(try database.row("SELECT status FROM messages WHERE direction = 'out'"), ["delivered"],
                       "stored by the time it was acknowledged")
    }

    /// The writer waits for the database (another connection holds its write
    /// lock) while webhooks queue behind it: past the queue's bound they are
    /// answered 503 with `Retry-After`; every one answered 200 is stored, and
    /// the one refused is stored when delivered again.
    func test_fullQueueAnswers503WithRetryAfterAndLosesNothing() async throws {
        var pipeline = PipelineConfiguration()
        pipeline.maxQueuedEvents = 2
        let host = try await CloudTestHost.start(pipeline: pipeline)
        self.host = host
        let vendas = try await webhookURL(host)
        let database = try SQLiteConnection(path: host.folder.appendingPathComponent("data/crm.sqlite").path)
        let bodies = (0..<4).map {
            CloudPayloads.text(phoneNumberID: "PN-VENDAS", wamid: "wamid.Q\($0)", from: "551191111000\($0)", body: "q\($0)")
        }

        try database.execute("BEGIN IMMEDIATE")
        let taken = Task { try await post(bodies[0], to: vendas) }
        try await Task.sleep(for: .milliseconds(300))  // the writer takes it, and waits for the lock
        let queued = [Task { try await post(bodies[1], to: vendas) },
                      Task { try await post(bodies[2], to: vendas) }]
        try await Task.sleep(for: .milliseconds(300))
        let refused = try await post(bodies[3], to: vendas)
        try database.execute("COMMIT")

        XCTAssertEqual(refused.status, 503)
        XCTAssertEqual(refused.retryAfter, "1")
        var statuses = [try await taken.value.status]
        for task in queued { statuses.append(try await task.value.status) }
        XCTAssertEqual(statuses, [200, 200, 200])
        let again = try await post(bodies[3], to: vendas)
        XCTAssertEqual(again.status, 200, "delivered again, taken")
        XCTAssertEqual(try database.row("SELECT count(*) FROM messages WHERE direction = 'in'"), ["4"])
    }

    /// A cloud instance "Vendas", and where its webhooks go.
    private func webhookURL(_ host: CloudTestHost) async throws -> String {
        let id = try await host.createCloudInstance("Vendas", phoneNumberID: "PN-VENDAS", token: "token-vendas", secret: "s-vendas")
        return "\(host.server.baseURL)/webhooks/cloud/\(id)"
    }
}

/// Posts a webhook signed with Vendas' secret: the status, and `Retry-After` if any.
private func post(_ body: [UInt8], to url: String) async throws -> (status: Int, retryAfter: String?) {
    var request = HTTPClientRequest(url: url)
    request.method = .POST
    request.headers.add(name: "Content-Type", value: "application/json")
    request.headers.add(name: "X-Hub-Signature-256", value: CloudSignature.header(body: body, appSecret: "s-vendas"))
    request.body = .bytes(ByteBuffer(bytes: body))
    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
    _ = try await response.body.collect(upTo: 1 << 20)
    return (Int(response.status.code), response.headers.first(name: "Retry-After"))
}

/// A connection of the test's own to the daemon's database, on SQLite's
/// plain file system: it reads what is committed, and can hold the write lock.
private final class SQLiteConnection {
    private let connection: OpaquePointer

    init(path: String) throws {
        var opened: OpaquePointer?
        guard sqlite3_open_v2(path, &opened, SQLITE_OPEN_READWRITE, "unix") == SQLITE_OK, let opened else {
            sqlite3_close_v2(opened)
            throw Failure(message: "cannot open \(path)")
        }
        connection = opened
        sqlite3_busy_timeout(connection, 5_000)
    }

    deinit { sqlite3_close_v2(connection) }

    func execute(_ sql: String) throws {
        guard sqlite3_exec(connection, sql, nil, nil, nil) == SQLITE_OK else {
            throw Failure(message: String(cString: sqlite3_errmsg(connection)))
        }
    }

    /// The first row's columns as text; empty when there is no row.
    func row(_ sql: String) throws -> [String] {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(connection, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw Failure(message: String(cString: sqlite3_errmsg(connection)))
        }
        defer { sqlite3_finalize(statement) }
        guard sqlite3_step(statement) == SQLITE_ROW else { return [] }
        return (0..<sqlite3_column_count(statement)).map { column in
            sqlite3_column_text(statement, column).map { String(cString: $0) } ?? ""
        }
    }

    struct Failure: Error { let message: String }
}
