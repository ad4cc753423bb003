import CRMCore
@testable import CRMSessions
import Foundation
import XCTest

final class SimNetworkTests: XCTestCase {
    let instanceA = "aaaaaaaa-0000-0000-0000-000000000001"
    let instanceB = "bbbbbbbb-0000-0000-0000-000000000002"

    /// Links an instance and pairs it by scanning its QR code; returns the connector.
    func pair(_ instance: InstanceID, phone: String, on network: SimNetwork, sink: RecordingSink) async throws -> SimConnector {
        let connector = SimConnector(instanceID: instance, network: network, credentials: nil) { _ in }
        try await connector.start(sink: sink)
        let qr = try XCTUnwrap(sink.qrCode(of: instance))
        let paired = try await network.scan(qr: qr, phone: phone)
        XCTAssertEqual(paired, instance)
        return connector
    }

    func test_scanPairsThePhoneAndTheInstanceReportsConnected() async throws {
        let network = try SimNetwork()
        let sink = RecordingSink()
        _ = try await pair(instanceA, phone: "+55 11 99999-8888", on: network, sink: sink)
        XCTAssertEqual(sink.events.map(\.1.status), [.qr, .connected])
        XCTAssertEqual(sink.events.last?.1.phoneNumber, Brief.salesPhone)
        let connected = await network.connectedPhone(of: instanceA)
        XCTAssertEqual(connected, Brief.salesPhone)
    }

    func test_unknownQRCodeIsNotFound() async throws {
        let network = try SimNetwork()
        do {
            _ = try await network.scan(qr: "2@nothing", phone: Brief.salesPhone)
            XCTFail("an unknown code paired")
        } catch {
            XCTAssertEqual(error as? SimNetworkError, .unknownPairingCode)
        }
    }

    func test_qrCodeRefreshesAndTheExpiredOneIsNotFound() async throws {
        let network = try SimNetwork(pairingLifetime: .milliseconds(150))
        let sink = RecordingSink()
        let connector = SimConnector(instanceID: instanceA, network: network, credentials: nil) { _ in }
        try await connector.start(sink: sink)
        let first = try XCTUnwrap(sink.qrCode(of: instanceA))
        try await eventually("a refreshed QR code") { sink.qrCode(of: instanceA) != first }
        let second = try XCTUnwrap(sink.qrCode(of: instanceA))
        XCTAssertNotEqual(first, second)
        XCTAssertNoThrow(try QRCode(encoding: second))
        do {
            _ = try await network.scan(qr: first, phone: Brief.salesPhone)
            XCTFail("an expired code paired")
        } catch {
            XCTAssertEqual(error as? SimNetworkError, .unknownPairingCode)
        }
        let third = try XCTUnwrap(sink.qrCode(of: instanceA))
        let paired = try await network.scan(qr: third, phone: Brief.salesPhone)
        XCTAssertEqual(paired, instanceA)
        let shown = sink.events.filter { $0.1.status == .qr }.count
        try await Task.sleep(for: .milliseconds(400))
        XCTAssertEqual(sink.events.filter { $0.1.status == .qr }.count, shown, "no new code once paired")
    }

    func test_pairingANumberConnectedElsewhereIsRefusedAndLeavesTheOtherUnchanged() async throws {
        let network = try SimNetwork()
        let sink = RecordingSink()
        let connectorA = try await pair(instanceA, phone: Brief.salesPhone, on: network, sink: sink)
        let connectorB = SimConnector(instanceID: instanceB, network: network, credentials: nil) { _ in }
        try await connectorB.start(sink: sink)
        let qrB = try XCTUnwrap(sink.qrCode(of: instanceB))
        do {
            _ = try await network.scan(qr: qrB, phone: Brief.salesPhone)
            XCTFail("one number paired on two instances")
        } catch {
            XCTAssertEqual(error as? SimNetworkError, .numberConnectedElsewhere(phone: Brief.salesPhone, instanceID: instanceA))
        }
        let phoneA = await network.connectedPhone(of: instanceA)
        let phoneB = await network.connectedPhone(of: instanceB)
        XCTAssertEqual(phoneA, Brief.salesPhone)
        XCTAssertNil(phoneB)
        XCTAssertFalse(sink.events.contains { $0.0 == instanceA && $0.1.status != .qr && $0.1.status != .connected })
        try await network.deliver(to: Brief.salesPhone, from: Brief.joao, name: "João", text: "still A?")
        XCTAssertEqual(sink.inboundMessages.map(\.instanceID), [instanceA])
        let sent = try await connectorA.send(OutgoingMessage(instanceID: instanceA, idempotencyKey: "k1", to: Brief.joao,
                                                             isGroup: false, content: OutgoingContent(text: "yes")))
        XCTAssertFalse(sent.isEmpty)
        let retry = try await network.scan(qr: qrB, phone: Brief.supportPhone)
        XCTAssertEqual(retry, instanceB, "the same code still pairs another number")
    }

    func test_contactsAndGroupsReachOnlyTheOwningInstance() async throws {
        let network = try SimNetwork()
        let sinkA = RecordingSink()
        let sinkB = RecordingSink()
        _ = try await pair(instanceA, phone: Brief.salesPhone, on: network, sink: sinkA)
        _ = try await pair(instanceB, phone: Brief.supportPhone, on: network, sink: sinkB)

        try await network.deliver(to: Brief.salesPhone, from: Brief.joao, name: "João", text: "qual o preço?")
        try await network.deliver(to: Brief.salesPhone, from: Brief.maria, name: "Maria", text: "oi")
        try await network.deliver(to: Brief.salesPhone, from: Brief.maria, name: "Maria", text: "almoço?", group: Brief.familia)
        try await network.deliver(to: Brief.supportPhone, from: Brief.pedro, name: "Pedro", text: "suporte")
        try await network.deliver(to: Brief.supportPhone, from: Brief.ana, name: "Ana", text: "reunião", group: Brief.trabalho)

        XCTAssertEqual(sinkA.inboundMessages.map(\.text), ["qual o preço?", "oi", "almoço?"])
        XCTAssertTrue(sinkA.inboundMessages.allSatisfy { $0.instanceID == instanceA })
        XCTAssertEqual(sinkB.inboundMessages.map(\.text), ["suporte", "reunião"])
        XCTAssertTrue(sinkB.inboundMessages.allSatisfy { $0.instanceID == instanceB })

        let joao = sinkA.inboundMessages[0]
        XCTAssertEqual(joao.contact, ContactIdentity(phone: Brief.joao))
        XCTAssertEqual(joao.contactName, "João")
        XCTAssertNil(joao.group)
        let familia = sinkA.inboundMessages[2]
        XCTAssertEqual(familia.group, Brief.familia)
        XCTAssertEqual(familia.contact.contactID, Brief.familia.id)
        XCTAssertEqual(familia.sender, ContactIdentity(phone: Brief.maria))
        XCTAssertEqual(familia.senderName, "Maria")
    }

    func test_theSameMessageIdIsHandedOverWithTheSameWhatsAppId() async throws {
        let network = try SimNetwork()
        let sink = RecordingSink()
        _ = try await pair(instanceA, phone: Brief.salesPhone, on: network, sink: sink)
        let first = try await network.deliver(to: Brief.salesPhone, from: Brief.joao, name: "João", text: "oi", id: "wamid.1")
        let again = try await network.deliver(to: Brief.salesPhone, from: Brief.joao, name: "João", text: "oi", id: "wamid.1")
        let generated = try await network.deliver(to: Brief.salesPhone, from: Brief.joao, name: "João", text: "oi")
        XCTAssertEqual(first, "wamid.1")
        XCTAssertEqual(again, "wamid.1")
        XCTAssertNotEqual(generated, "wamid.1")
        XCTAssertEqual(sink.inboundMessages.map(\.whatsappID), ["wamid.1", "wamid.1", generated])
    }

    func test_deliverReturnsOnlyAfterTheHostCommitted() async throws {
        let network = try SimNetwork()
        let sink = RecordingSink()
        sink.commitDelay = .milliseconds(50)
        _ = try await pair(instanceA, phone: Brief.salesPhone, on: network, sink: sink)
        try await network.deliver(to: Brief.salesPhone, from: Brief.joao, name: "João", text: "oi")
        XCTAssertEqual(sink.inboundMessages.count, 1)
    }

    func test_aMessageToANumberNotConnectedIsNotFound() async throws {
        let network = try SimNetwork()
        let sink = RecordingSink()
        _ = try await pair(instanceA, phone: Brief.salesPhone, on: network, sink: sink)
        await network.dropConnection(instanceA)
        for number in [Brief.salesPhone, "5511000000000"] {
            do {
                try await network.deliver(to: number, from: Brief.joao, name: nil, text: "oi")
                XCTFail("delivered to \(number)")
            } catch {
                XCTAssertEqual(error as? SimNetworkError, .numberNotConnected(number))
            }
        }
        XCTAssertTrue(sink.inboundMessages.isEmpty)
    }

    func test_aSendReachesTheContactFromTheOwningNumber() async throws {
        let network = try SimNetwork()
        let sink = RecordingSink()
        let connectorA = try await pair(instanceA, phone: Brief.salesPhone, on: network, sink: sink)
        let connectorB = try await pair(instanceB, phone: Brief.supportPhone, on: network, sink: sink)
        _ = try await connectorA.send(OutgoingMessage(instanceID: instanceA, idempotencyKey: "a-1", to: Brief.joao,
                                                      isGroup: false, content: OutgoingContent(text: "Segue nossa tabela")))
        _ = try await connectorB.send(OutgoingMessage(instanceID: instanceB, idempotencyKey: "b-1", to: Brief.trabalho.id,
                                                      isGroup: true, content: OutgoingContent(text: "pauta")))
        _ = try await connectorA.send(OutgoingMessage(instanceID: instanceA, idempotencyKey: "a-2", to: Brief.joao,
                                                      isGroup: false, content: OutgoingContent(text: "mais algo?")))
        let joao = try await network.messages(for: Brief.joao)
        XCTAssertEqual(joao.map(\.text), ["Segue nossa tabela", "mais algo?"])
        XCTAssertEqual(Set(joao.map(\.from)), [Brief.salesPhone])
        XCTAssertEqual(Set(joao.map(\.to)), [Brief.joao])
        let group = try await network.messages(for: Brief.trabalho.id)
        XCTAssertEqual(group.map(\.from), [Brief.supportPhone])
        XCTAssertEqual(group.first?.isGroup, true)
    }

    func test_aMessageOfAnotherInstanceCannotLeaveThroughThisOne() async throws {
        let network = try SimNetwork()
        let sink = RecordingSink()
        let connectorA = try await pair(instanceA, phone: Brief.salesPhone, on: network, sink: sink)
        _ = try await pair(instanceB, phone: Brief.supportPhone, on: network, sink: sink)
        do {
            _ = try await connectorA.send(OutgoingMessage(instanceID: instanceB, idempotencyKey: "x", to: Brief.pedro,
                                                          isGroup: false, content: OutgoingContent(text: "from B via A")))
            XCTFail("sent another instance's message")
        } catch {
            XCTAssertFalse(error.retryable)
            XCTAssertTrue(error.reason.contains(instanceB))
        }
        let pedro = try await network.messages(for: Brief.pedro)
        XCTAssertTrue(pedro.isEmpty)
    }

    func test_aRepeatedIdempotencyKeyDeliversOnceAlsoAfterReopeningTheLedger() async throws {
        let ledger = try temporaryFolder(self).appendingPathComponent("sim.sqlite").path
        let message = OutgoingMessage(instanceID: instanceA, idempotencyKey: "outbox-17", to: Brief.joao,
                                      isGroup: false, content: OutgoingContent(text: "uma vez só"))
        let firstID: String
        do {
            let network = try SimNetwork(ledgerPath: ledger)
            let connector = try await pair(instanceA, phone: Brief.salesPhone, on: network, sink: RecordingSink())
            firstID = try await connector.send(message)
            let again = try await connector.send(message)
            XCTAssertEqual(again, firstID)
        }
        let reopened = try SimNetwork(ledgerPath: ledger)
        let sink = RecordingSink()
        let paired = try await pairedCredentials(ledger: ledger)
        let credentials = SimCredentials(decoding: try XCTUnwrap(paired))
        let connector = SimConnector(instanceID: instanceA, network: reopened, credentials: credentials) { _ in }
        try await connector.start(sink: sink)
        XCTAssertEqual(sink.events.last?.1, ConnectionEvent(status: .connected, phoneNumber: Brief.salesPhone))
        let afterRestart = try await connector.send(message)
        XCTAssertEqual(afterRestart, firstID)
        let joao = try await reopened.messages(for: Brief.joao)
        XCTAssertEqual(joao.map(\.text), ["uma vez só"])
        XCTAssertEqual(joao.first?.id, firstID)
    }

    /// The credentials instance A was paired with, as its session would have kept them.
    private func pairedCredentials(ledger path: String) async throws -> Data? {
        let pairing = try SimLedger(path: path).pairing(ofInstance: instanceA)
        return pairing.map { SimCredentials(phone: $0.phone, secret: $0.secret).encoded() }
    }

    func test_staleCredentialsAreLoggedOut() async throws {
        let network = try SimNetwork()
        let sink = RecordingSink()
        let stale = SimCredentials(phone: Brief.salesPhone, secret: "forgotten")
        let connector = SimConnector(instanceID: instanceA, network: network, credentials: stale) { _ in }
        try await connector.start(sink: sink)
        XCTAssertEqual(sink.events.map(\.1.status), [.loggedOut])
    }

    func test_receiptsFlowBackToTheSender() async throws {
        let network = try SimNetwork()
        let sinkA = RecordingSink()
        let sinkB = RecordingSink()
        let connectorA = try await pair(instanceA, phone: Brief.salesPhone, on: network, sink: sinkA)
        _ = try await pair(instanceB, phone: Brief.supportPhone, on: network, sink: sinkB)
        let id = try await connectorA.send(OutgoingMessage(instanceID: instanceA, idempotencyKey: "r1", to: Brief.joao,
                                                           isGroup: false, content: OutgoingContent(text: "oi")))
        try await eventually("sent and delivered receipts") { sinkA.receipts.count == 2 }
        _ = try await network.messages(for: Brief.joao)
        try await eventually("a read receipt") { sinkA.receipts.count == 3 }
        XCTAssertEqual(sinkA.receipts.map(\.status), [.sent, .delivered, .read])
        XCTAssertEqual(Set(sinkA.receipts.map(\.providerMessageID)), [id])
        XCTAssertEqual(Set(sinkA.receipts.map(\.instance)), [instanceA])
        _ = try await network.messages(for: Brief.joao)
        _ = try await connectorA.send(OutgoingMessage(instanceID: instanceA, idempotencyKey: "r1", to: Brief.joao,
                                                      isGroup: false, content: OutgoingContent(text: "oi")))
        try await Task.sleep(for: .milliseconds(100))
        XCTAssertEqual(sinkA.receipts.count, 3, "read once, and a repeated key sends no receipts")
        XCTAssertTrue(sinkB.receipts.isEmpty)
    }

    func test_faultsRefuseSendsAndConnections() async throws {
        let network = try SimNetwork()
        let sink = RecordingSink()
        let connector = try await pair(instanceA, phone: Brief.salesPhone, on: network, sink: sink)
        let refusal = SendFailure(reason: "simulated outage", retryable: true)
        await network.setFaults(SimFaults(refuseSends: refusal), for: instanceA)
        let message = OutgoingMessage(instanceID: instanceA, idempotencyKey: "f1", to: Brief.joao, isGroup: false,
                                      content: OutgoingContent(text: "oi"))
        do {
            _ = try await connector.send(message)
            XCTFail("a refused send went out")
        } catch {
            XCTAssertEqual(error, refusal)
        }
        let nothing = try await network.messages(for: Brief.joao)
        XCTAssertTrue(nothing.isEmpty)
        await network.setFaults(SimFaults(refuseConnections: true, sendDelay: .milliseconds(20)), for: instanceA)
        _ = try await connector.send(message)
        let one = try await network.messages(for: Brief.joao)
        XCTAssertEqual(one.count, 1)
        await network.dropConnection(instanceA)
        XCTAssertEqual(sink.events.last?.1.status, .disconnected)
        do {
            try await connector.start(sink: sink)
            XCTFail("a refused connection linked")
        } catch {
            XCTAssertEqual(error as? SimNetworkError, .connectionRefused(instanceA))
        }
    }
}
