import CRMCore
import CRMStore
import Foundation
import XCTest

final class InstanceTests: XCTestCase {
    func test_anotherCompanysInstanceIsNotFound() throws {
        let fixture = try StoreFixture()
        let vendas = try fixture.store.createInstance(companyID: fixture.acme.id, name: "vendas")
        XCTAssertEqual(try fixture.store.instance(id: vendas.id, companyID: fixture.acme.id).name, "vendas")
        XCTAssertEqual(try fixture.store.instances(companyID: fixture.globex.id), [])
        for attempt in [
            { _ = try fixture.store.instance(id: vendas.id, companyID: fixture.globex.id) },
            { _ = try fixture.store.renameInstance(id: vendas.id, companyID: fixture.globex.id, name: "x") },
            { try fixture.store.deleteInstance(id: vendas.id, companyID: fixture.globex.id) },
        ] {
            XCTAssertThrowsError(try attempt()) { XCTAssertEqual($0 as? StoreError, .notFound(kind: "instance", id: vendas.id)) }
        }
        XCTAssertEqual(try fixture.store.instance(id: vendas.id)?.name, "vendas")
    }

    func test_numberConnectedOnOneInstanceIsRefusedOnAnotherAndNothingChanges() throws {
        let fixture = try StoreFixture()
        let vendas = try fixture.connectedInstance("vendas", phone: "+55 11 99999-8888")
        let suporte = try fixture.store.createInstance(companyID: fixture.globex.id, name: "suporte")
        XCTAssertThrowsError(try fixture.store.claimPhoneNumber(instanceID: suporte.id, phoneNumber: "5511999998888")) {
            XCTAssertEqual($0 as? StoreError,
                           .phoneNumberInUse(phoneNumber: "5511999998888", instanceID: vendas.id, instanceName: "vendas"))
        }
        XCTAssertEqual(try fixture.store.instance(id: vendas.id)?.status, .connected)
        XCTAssertEqual(try fixture.store.instance(id: vendas.id)?.phoneNumber, "5511999998888")
        XCTAssertEqual(try fixture.store.instance(id: suporte.id)?.status, .disconnected)
        XCTAssertNil(try fixture.store.instance(id: suporte.id)?.phoneNumber)

        try fixture.store.updateInstanceStatus(id: vendas.id, status: .disconnected)
        XCTAssertEqual(try fixture.store.claimPhoneNumber(instanceID: suporte.id, phoneNumber: "5511999998888").status, .connected)
    }

    func test_deletingAnInstanceDeletesItsCredentialsAndConversations() async throws {
        let fixture = try StoreFixture()
        let vendas = try fixture.connectedInstance("vendas", phone: "5511999998888")
        let suporte = try fixture.connectedInstance("suporte", phone: "5511988887777")
        try fixture.store.putCredentials(instanceID: vendas.id, blob: Data([1, 2, 3]))
        try fixture.store.putCredentials(instanceID: suporte.id, blob: Data([4]))
        try await fixture.receive(fixture.message(vendas, id: "w1", phone: "5511911112222"))
        XCTAssertEqual(try fixture.store.credentials(instanceID: vendas.id), Data([1, 2, 3]))

        try fixture.store.deleteInstance(id: vendas.id, companyID: fixture.acme.id)
        XCTAssertNil(try fixture.store.credentials(instanceID: vendas.id))
        XCTAssertEqual(try fixture.store.conversations(instanceID: vendas.id), [])
        XCTAssertEqual(try fixture.store.credentials(instanceID: suporte.id), Data([4]))
    }

    func test_qrCodeIsKeptOnlyWhileInQRState() throws {
        let fixture = try StoreFixture()
        let vendas = try fixture.store.createInstance(companyID: fixture.acme.id, name: "vendas")
        try fixture.store.updateInstanceStatus(id: vendas.id, status: .qr, qrCode: "2@abc")
        XCTAssertEqual(try fixture.store.instance(id: vendas.id)?.qrCode, "2@abc")
        try fixture.store.updateInstanceStatus(id: vendas.id, status: .connecting, qrCode: "2@abc")
        XCTAssertNil(try fixture.store.instance(id: vendas.id)?.qrCode)
    }
}
