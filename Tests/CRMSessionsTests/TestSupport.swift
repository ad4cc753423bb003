import CRMCore
@testable import CRMSessions
import Foundation
import XCTest

/// The host's side of the connector boundary, as tests see it: it keeps what
/// arrives, and can be made slow or failing like a real pipeline.
final class RecordingSink: ConnectorSink, @unchecked Sendable {
    struct Receipt: Equatable {
        var instance: InstanceID
        var providerMessageID: String
        var status: DeliveryStatus
    }

    private let lock = NSLock()
    private var _inbound: [InboundMessage] = []
    private var _receipts: [Receipt] = []
    private var _events: [(InstanceID, ConnectionEvent)] = []
    /// How long `inbound` takes, as a commit would.
    var commitDelay: Duration = .zero

    var inboundMessages: [InboundMessage] { lock.withLock { _inbound } }
    var receipts: [Receipt] { lock.withLock { _receipts } }
    var events: [(InstanceID, ConnectionEvent)] { lock.withLock { _events } }

    func connectionChanged(_ instance: InstanceID, _ event: ConnectionEvent) async {
        lock.withLock { _events.append((instance, event)) }
    }

    func inbound(_ message: InboundMessage) async throws {
        if commitDelay > .zero { try await Task.sleep(for: commitDelay) }
        lock.withLock { _inbound.append(message) }
    }

    func receipt(_ instance: InstanceID, providerMessageID: String, status: DeliveryStatus, reason: String?) async {
        lock.withLock { _receipts.append(Receipt(instance: instance, providerMessageID: providerMessageID, status: status)) }
    }

    /// The latest QR code shown to `instance`.
    func qrCode(of instance: InstanceID) -> String? {
        events.last { $0.0 == instance && $0.1.status == .qr }?.1.qrCode
    }
}

/// Keeps every state change the sessions report, as the host's storage would.
final class StateLog: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [(InstanceID, SessionState)] = []

    func record(_ instance: InstanceID, _ state: SessionState) {
        lock.withLock { entries.append((instance, state)) }
    }

    func states(of instance: InstanceID) -> [SessionState] {
        lock.withLock { entries.filter { $0.0 == instance }.map(\.1) }
    }

    func statuses(of instance: InstanceID) -> [InstanceStatus] { states(of: instance).map(\.status) }

    func last(of instance: InstanceID) -> SessionState? { states(of: instance).last }
}

/// Waits until `condition` holds, for asynchronous effects (sessions, sends,
/// timers); throws, ending the test, when it does not within `seconds`.
func eventually(_ what: String, within seconds: Double = 10,
                _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(seconds)
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(5))
    }
    struct Timeout: Error, CustomStringConvertible { var description: String }
    throw Timeout(description: "timed out waiting for \(what)")
}

/// A fresh temporary folder, removed when the test ends.
func temporaryFolder(_ test: XCTestCase) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("crm-sessions-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
    return url
}

/// The brief's two numbers.
enum Brief {
    static let salesPhone = "5511999998888"
    static let supportPhone = "5511988887777"
    static let joao = "5511911112222"
    static let maria = "5511933334444"
    static let pedro = "5511955556666"
    static let ana = "5511977778888"
    static let familia = GroupRef(id: "120363000000000001@g.us", name: "Família")
    static let trabalho = GroupRef(id: "120363000000000002@g.us", name: "Trabalho")
}
