import CRMCore
import Crypto
@testable import CRMSessions
import Foundation
import XCTest

/// Sessions over the real simulated network and real sealed credential files.
final class InstanceSessionTests: XCTestCase {
    let instanceA = "aaaaaaaa-0000-0000-0000-000000000001"
    let instanceB = "bbbbbbbb-0000-0000-0000-000000000002"
    let fast = ReconnectPolicy(firstDelay: .milliseconds(10), maximumDelay: .milliseconds(40), jitter: 0.2, maximumFailures: 3)

    struct Host {
        var network: SimNetwork
        var sessions: InstanceSessions
        var sink: RecordingSink
        var log: StateLog
        var credentials: CredentialFolder
        var folder: URL
    }

    /// A host over `folder`: its sim ledger, master key and credential files live there,
    /// so a second host over the same folder is the first one restarted.
    func makeHost(_ folder: URL, policy: ReconnectPolicy? = nil) throws -> Host {
        let network = try SimNetwork(ledgerPath: folder.appendingPathComponent("sim.sqlite").path)
        let credentials = try CredentialFolder(directory: folder.appendingPathComponent("credentials"),
                                               vault: try CredentialVault.load(dataDirectory: folder, environment: [:]))
        let sink = RecordingSink()
        let log = StateLog()
        let environment = SessionEnvironment(connectors: StandardConnectors(simulator: network), credentials: credentials,
                                             sink: sink, reconnect: policy ?? fast) { log.record($0, $1) }
        return Host(network: network, sessions: InstanceSessions(environment: environment), sink: sink, log: log,
                    credentials: credentials, folder: folder)
    }

    /// Connects an instance and scans its QR code with `phone`.
    @discardableResult
    func pair(_ instance: InstanceID, phone: String, on host: Host) async throws -> InstanceSession {
        let session = await host.sessions.open(InstanceDefinition(id: instance, connector: "sim"))
        await session.connect()
        let qr = try XCTUnwrap(host.log.last(of: instance)?.qrCode)
        _ = try await host.network.scan(qr: qr, phone: phone)
        return session
    }

    func text(_ text: String, from instance: InstanceID, to: String, key: String) -> OutgoingMessage {
        OutgoingMessage(instanceID: instance, idempotencyKey: key, to: to, isGroup: false, content: OutgoingContent(text: text))
    }

    func test_pairingGoesThroughConnectingAndQRToConnectedAndKeepsSealedCredentials() async throws {
        let host = try makeHost(try temporaryFolder(self))
        let session = try await pair(instanceA, phone: Brief.salesPhone, on: host)
        XCTAssertEqual(host.log.statuses(of: instanceA), [.connecting, .qr, .connected])
        let state = await session.state
        XCTAssertEqual(state, SessionState(status: .connected, phoneNumber: Brief.salesPhone))
        let stored = try XCTUnwrap(try host.credentials.load(for: instanceA))
        XCTAssertEqual(SimCredentials(decoding: stored)?.phone, Brief.salesPhone)
        let file = try Data(contentsOf: host.folder.appendingPathComponent("credentials/\(instanceA).sealed"))
        XCTAssertNil(file.range(of: Data(Brief.salesPhone.utf8)), "sealed at rest")
    }

    func test_theBriefsTwoNumbersKeepTheirConversationsApart() async throws {
        let host = try makeHost(try temporaryFolder(self))
        try await pair(instanceA, phone: Brief.salesPhone, on: host)
        try await pair(instanceB, phone: Brief.supportPhone, on: host)
        try await host.network.deliver(to: Brief.salesPhone, from: Brief.joao, name: "João", text: "preço?")
        try await host.network.deliver(to: Brief.salesPhone, from: Brief.maria, name: "Maria", text: "oi", group: Brief.familia)
        try await host.network.deliver(to: Brief.supportPhone, from: Brief.pedro, name: "Pedro", text: "ajuda")
        try await host.network.deliver(to: Brief.supportPhone, from: Brief.ana, name: "Ana", text: "pauta", group: Brief.trabalho)
        let routed = Dictionary(grouping: host.sink.inboundMessages, by: \.instanceID).mapValues { $0.map(\.text) }
        XCTAssertEqual(routed, [instanceA: ["preço?", "oi"], instanceB: ["ajuda", "pauta"]])

        _ = try await host.sessions.send(text("Segue nossa tabela", from: instanceA, to: Brief.joao, key: "a1"))
        _ = try await host.sessions.send(OutgoingMessage(instanceID: instanceB, idempotencyKey: "b1", to: Brief.trabalho.id,
                                                         isGroup: true, content: OutgoingContent(text: "ok")))
        let joao = try await host.network.messages(for: Brief.joao)
        XCTAssertEqual(joao.map(\.from), [Brief.salesPhone])
        let trabalho = try await host.network.messages(for: Brief.trabalho.id)
        XCTAssertEqual(trabalho.map(\.from), [Brief.supportPhone])
    }

    func test_pairingANumberHeldByAnotherInstanceFailsAndLeavesItUntouched() async throws {
        let host = try makeHost(try temporaryFolder(self))
        try await pair(instanceA, phone: Brief.salesPhone, on: host)
        let before = host.log.states(of: instanceA)
        let sessionB = await host.sessions.open(InstanceDefinition(id: instanceB, connector: "sim"))
        await sessionB.connect()
        let qr = try XCTUnwrap(host.log.last(of: instanceB)?.qrCode)
        do {
            _ = try await host.network.scan(qr: qr, phone: Brief.salesPhone)
            XCTFail("paired a held number")
        } catch {
            XCTAssertEqual(error as? SimNetworkError, .numberConnectedElsewhere(phone: Brief.salesPhone, instanceID: instanceA))
        }
        XCTAssertEqual(host.log.states(of: instanceA), before)
        XCTAssertEqual(host.log.last(of: instanceB)?.status, .qr)
        XCTAssertNil(try host.credentials.load(for: instanceB))
        XCTAssertNotNil(try host.credentials.load(for: instanceA))
    }

    func test_aDroppedConnectionReconnectsWithBackoffAndKeepsTheSession() async throws {
        let patient = ReconnectPolicy(firstDelay: .milliseconds(10), maximumDelay: .milliseconds(40), maximumFailures: 1000)
        let host = try makeHost(try temporaryFolder(self), policy: patient)
        let session = try await pair(instanceA, phone: Brief.salesPhone, on: host)
        let credentials = try host.credentials.load(for: instanceA)
        await host.network.setFaults(SimFaults(refuseConnections: true), for: instanceA)
        await host.network.dropConnection(instanceA)
        try await eventually("a second failed attempt") {
            host.log.states(of: instanceA).filter { $0.reason?.contains("refused") == true }.count >= 1
        }
        await host.network.setFaults(.none, for: instanceA)
        try await eventually("reconnected") { await session.state.status == .connected }

        let after = Array(host.log.states(of: instanceA).dropFirst(3))
        XCTAssertEqual(after.first?.status, .connecting)
        XCTAssertTrue(after.first?.reason?.contains("connection lost") == true, "\(after)")
        XCTAssertFalse(after.contains { $0.status == .qr || $0.status == .loggedOut }, "no new pairing: \(after)")
        XCTAssertEqual(after.last, SessionState(status: .connected, phoneNumber: Brief.salesPhone))
        XCTAssertEqual(try host.credentials.load(for: instanceA), credentials)
        try await host.network.deliver(to: Brief.salesPhone, from: Brief.joao, name: "João", text: "voltou?")
        XCTAssertEqual(host.sink.inboundMessages.last?.instanceID, instanceA)
    }

    func test_repeatedFailuresEndInFailedWhileTheOtherInstanceKeepsWorking() async throws {
        let host = try makeHost(try temporaryFolder(self))
        let sessionA = try await pair(instanceA, phone: Brief.salesPhone, on: host)
        try await pair(instanceB, phone: Brief.supportPhone, on: host)
        await host.network.setFaults(SimFaults(refuseConnections: true), for: instanceA)
        await host.network.dropConnection(instanceA)
        try await eventually("instance A failed") { await sessionA.state.status == .failed }
        let failed = await sessionA.state
        XCTAssertTrue(failed.reason?.contains("gave up after 3 failed attempts") == true, "\(failed)")
        XCTAssertEqual(failed.phoneNumber, Brief.salesPhone)

        do {
            _ = try await host.sessions.send(text("oi", from: instanceA, to: Brief.joao, key: "a1"))
            XCTFail("a failed instance sent")
        } catch {
            XCTAssertTrue(error.reason.contains("FAILED"))
        }
        XCTAssertEqual(host.log.statuses(of: instanceB), [.connecting, .qr, .connected])
        _ = try await host.sessions.send(text("tudo certo", from: instanceB, to: Brief.pedro, key: "b1"))
        try await host.network.deliver(to: Brief.supportPhone, from: Brief.pedro, name: "Pedro", text: "obrigado")
        let pedro = try await host.network.messages(for: Brief.pedro)
        XCTAssertEqual(pedro.map(\.text), ["tudo certo"])
        XCTAssertEqual(host.sink.inboundMessages.map(\.instanceID), [instanceB])
    }

    func test_logoutErasesTheCredentialsAndReleasesTheNumber() async throws {
        let host = try makeHost(try temporaryFolder(self))
        let sessionA = try await pair(instanceA, phone: Brief.salesPhone, on: host)
        await sessionA.logout()
        let state = await sessionA.state
        XCTAssertEqual(state, SessionState(status: .loggedOut))
        XCTAssertNil(try host.credentials.load(for: instanceA))
        XCTAssertFalse(FileManager.default.fileExists(atPath: host.folder.appendingPathComponent("credentials/\(instanceA).sealed").path))
        try await pair(instanceB, phone: Brief.salesPhone, on: host)
        XCTAssertEqual(host.log.last(of: instanceB)?.phoneNumber, Brief.salesPhone)

        await sessionA.connect()
        XCTAssertEqual(host.log.last(of: instanceA)?.status, .qr, "after logout, connecting pairs anew")
    }

    func test_removingAnInstanceErasesItsCredentials() async throws {
        let host = try makeHost(try temporaryFolder(self))
        try await pair(instanceA, phone: Brief.salesPhone, on: host)
        await host.sessions.remove(instanceA)
        XCTAssertNil(try host.credentials.load(for: instanceA))
        let gone = await host.sessions.session(instanceA)
        XCTAssertNil(gone)
        let phone = await host.network.connectedPhone(of: instanceA)
        XCTAssertNil(phone)
    }

    func test_aHostRestartReconnectsConnectedInstancesFromStoredCredentials() async throws {
        let folder = try temporaryFolder(self)
        let first = try makeHost(folder)
        try await pair(instanceA, phone: Brief.salesPhone, on: first)
        let sessionB = await first.sessions.open(InstanceDefinition(id: instanceB, connector: "sim"))
        await sessionB.connect()
        let key = "outbox-1"
        let sentID = try await first.sessions.send(text("antes do crash", from: instanceA, to: Brief.joao, key: key))
        await first.sessions.shutdown()
        XCTAssertEqual(first.log.last(of: instanceA)?.status, .connected, "shutdown keeps the stored status")

        let second = try makeHost(folder)
        await second.sessions.resume([
            InstanceDefinition(id: instanceA, connector: "sim", status: .connected, phoneNumber: Brief.salesPhone),
            InstanceDefinition(id: instanceB, connector: "sim", status: .qr),
        ])
        XCTAssertEqual(second.log.statuses(of: instanceA), [.connecting, .connected])
        XCTAssertEqual(second.log.last(of: instanceA)?.phoneNumber, Brief.salesPhone)
        XCTAssertEqual(second.log.statuses(of: instanceB), [.disconnected])
        let resent = try await second.sessions.send(text("antes do crash", from: instanceA, to: Brief.joao, key: key))
        XCTAssertEqual(resent, sentID)
        let joao = try await second.network.messages(for: Brief.joao)
        XCTAssertEqual(joao.count, 1, "the contact sees the reply once across the restart")
        try await second.network.deliver(to: Brief.salesPhone, from: Brief.joao, name: "João", text: "depois")
        XCTAssertEqual(second.sink.inboundMessages.map(\.instanceID), [instanceA])
    }

    func test_credentialsThatDoNotOpenMakeTheInstanceFailWithAReason() async throws {
        let folder = try temporaryFolder(self)
        let host = try makeHost(folder)
        try await pair(instanceA, phone: Brief.salesPhone, on: host)
        await host.sessions.shutdown()
        let credentials = folder.appendingPathComponent("credentials")
        try FileManager.default.copyItem(at: credentials.appendingPathComponent("\(instanceA).sealed"),
                                         to: credentials.appendingPathComponent("\(instanceB).sealed"))
        let sessionB = await host.sessions.open(InstanceDefinition(id: instanceB, connector: "sim"))
        await sessionB.connect()
        let state = await sessionB.state
        XCTAssertEqual(state.status, .failed)
        XCTAssertTrue(state.reason?.contains("do not open") == true, "\(state)")
    }

    func test_unknownConnectorFailsWithAReason() async throws {
        let host = try makeHost(try temporaryFolder(self))
        let session = await host.sessions.open(InstanceDefinition(id: instanceA, connector: "telegram"))
        await session.connect()
        let state = await session.state
        XCTAssertEqual(state.status, .failed)
        XCTAssertTrue(state.reason?.contains("telegram") == true)
    }

    func test_disconnectKeepsCredentialsAndConnectResumesWithoutQR() async throws {
        let host = try makeHost(try temporaryFolder(self))
        let session = try await pair(instanceA, phone: Brief.salesPhone, on: host)
        await session.disconnect()
        XCTAssertEqual(host.log.last(of: instanceA)?.status, .disconnected)
        do {
            try await host.network.deliver(to: Brief.salesPhone, from: Brief.joao, name: nil, text: "oi")
            XCTFail("a disconnected number received")
        } catch {
            XCTAssertEqual(error as? SimNetworkError, .numberNotConnected(Brief.salesPhone))
        }
        await session.connect()
        XCTAssertEqual(Array(host.log.statuses(of: instanceA).suffix(2)), [.connecting, .connected])
    }
}
