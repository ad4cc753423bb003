import CRMCore
import CRMSessions
import Foundation
import Synchronization
import XCTest

/// Records what a connector reports about its session.
final class RecordingSink: ConnectorSink {
    let events = Mutex<[ConnectionEvent]>([])
    func connectionChanged(_ instance: InstanceID, _ event: ConnectionEvent) async { events.withLock { $0.append(event) } }
    func inbound(_ message: InboundMessage) async throws {}
    func receipt(_ instance: InstanceID, providerMessageID: String, status: DeliveryStatus, reason: String?) async {}
}

final class CloudConnectorTests: XCTestCase {
    var emulator: GraphEmulator!

    override func setUp() async throws {
        emulator = try await GraphEmulator.start()
        emulator.addNumber(phoneNumberID: "PN1", display: "+55 11 97777-0000", token: "good-token")
    }

    override func tearDown() async throws { emulator.stop() }

    func connector(token: String = "good-token") -> CloudConnector {
        CloudConnector(instanceID: "i1",
                       configuration: CloudConfiguration(phoneNumberID: "PN1", accessToken: token, appSecret: "s",
                                                         verifyToken: "v", graphURL: emulator.graphURL),
                       firstBackoff: .milliseconds(5))
    }

    func text(_ body: String, to: String = "5511911112222", userID: Bool = false, lastInbound: Date? = Date()) -> OutgoingMessage {
        OutgoingMessage(instanceID: "i1", idempotencyKey: "k1", to: to, isGroup: false,
                        content: OutgoingContent(text: body), toUserID: userID, lastInboundAt: lastInbound)
    }

    func test_connectChecksTheTokenAndReportsTheNumberAsDigits() async throws {
        let sink = RecordingSink()
        try await connector().start(sink: sink)
        XCTAssertEqual(sink.events.withLock { $0 }, [ConnectionEvent(status: .connected, phoneNumber: "5511977770000")])
    }

    func test_aRejectedTokenLogsTheInstanceOut() async {
        let sink = RecordingSink()
        do {
            try await connector(token: "bad").start(sink: sink)
            XCTFail("a bad token connected")
        } catch {}
        XCTAssertEqual(sink.events.withLock { $0 }.map(\.status), [.loggedOut])
    }

    func test_textGoesToThePhoneThroughTheInstancesNumber() async throws {
        let id = try await connector().send(text("olá"))
        XCTAssertEqual(id, "wamid.EMU1")
        let sent = emulator.accepted
        XCTAssertEqual(sent.count, 1)
        XCTAssertEqual(sent[0]["_phone_number_id"] as? String, "PN1")
        XCTAssertEqual(sent[0]["to"] as? String, "5511911112222")
        XCTAssertEqual((sent[0]["text"] as? [String: Any])?["body"] as? String, "olá")
    }

    func test_usernameOnlyContactIsAddressedByRecipient() async throws {
        _ = try await connector().send(text("oi", to: "BR.1502576394655843", userID: true))
        XCTAssertEqual(emulator.accepted[0]["recipient"] as? String, "BR.1502576394655843")
        XCTAssertNil(emulator.accepted[0]["to"])
    }

    func test_throttlingBurstAndServerErrorsAreRetriedToSuccess() async throws {
        emulator.inject([.throttled, .throttled, .serverError])
        let id = try await connector().send(text("persistente"))
        XCTAssertEqual(id, "wamid.EMU1")
        XCTAssertEqual(emulator.accepted.count, 1)
    }

    func test_aBadTokenIsNotRetried() async {
        emulator.inject([.badToken, .badToken])
        do {
            _ = try await connector().send(text("x"))
            XCTFail("sent with a bad token")
        } catch {
            XCTAssertFalse(error.retryable)
            XCTAssertTrue(error.reason.contains("190"), error.reason)
        }
        XCTAssertEqual(emulator.accepted.count, 0)
    }

    func test_freeTextOutsideThe24HourWindowIsRefusedBeforeSending() async throws {
        do {
            _ = try await connector().send(text("late", lastInbound: Date().addingTimeInterval(-25 * 3600)))
            XCTFail("free text left outside the window")
        } catch {
            XCTAssertFalse(error.retryable)
            XCTAssertTrue(error.reason.contains("template"), error.reason)
        }
        XCTAssertEqual(emulator.accepted.count, 0)
        let template = OutgoingMessage(instanceID: "i1", idempotencyKey: "k2", to: "5511911112222", isGroup: false,
                                       content: OutgoingContent(template: .init(name: "retomar", language: "pt_BR", parameters: ["João"])),
                                       lastInboundAt: nil)
        _ = try await connector().send(template)
        let sent = try XCTUnwrap(emulator.accepted.first?["template"] as? [String: Any])
        XCTAssertEqual(sent["name"] as? String, "retomar")
    }

    func test_windowIsOpenForTwentyFourHoursAfterTheContactWrote() {
        let now = Date()
        XCTAssertTrue(CloudConnector.isWindowOpen(lastInboundAt: now.addingTimeInterval(-23 * 3600), now: now))
        XCTAssertFalse(CloudConnector.isWindowOpen(lastInboundAt: now.addingTimeInterval(-24 * 3600 - 1), now: now))
        XCTAssertFalse(CloudConnector.isWindowOpen(lastInboundAt: nil, now: now))
    }
}
