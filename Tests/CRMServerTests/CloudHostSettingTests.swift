import AsyncHTTPClient
import CRMCore
import CRMSessions
import Foundation
import NIOCore
import Synchronization
import XCTest
@testable import CRMServer

/// The Graph API's address is the operator's (`serve --graph-url`), never a
/// tenant's: an instance's config cannot point the host anywhere, and
/// conflicts over a number say nothing of the instance holding it.
final class CloudHostSettingTests: XCTestCase {
    var host: CloudTestHost!

    override func setUp() async throws {
        host = try await CloudTestHost.start()
    }

    override func tearDown() async throws {
        await host.stop()
    }

    func test_aGraphURLInAnInstancesConfigIsRefusedWith400NamingTheField() async throws {
        let answer = try await createOverHTTP(config: [
            "phone_number_id": "PN-VENDAS", "access_token": "token-vendas", "app_secret": "s", "verify_token": "v",
            "graph_url": "http://127.0.0.1:9/steal"])
        XCTAssertEqual(answer.status, 400)
        XCTAssertTrue(answer.message.contains("graph_url"), answer.message)
        let tenant = try await host.tenant()
        let instances = try await host.daemon.instances(for: tenant)
        XCTAssertEqual(instances, [], "the refused instance was stored")
    }

    func test_aNullGraphURLIsRefusedToo() async throws {
        let answer = try await createOverHTTP(config: [
            "phone_number_id": "PN-VENDAS", "access_token": "token-vendas", "app_secret": "s", "verify_token": "v",
            "graph_url": NSNull()])
        XCTAssertEqual(answer.status, 400)
        XCTAssertTrue(answer.message.contains("graph_url"), answer.message)
    }

    func test_configPartsOfTheGraphAPIsPathCannotLeaveIt() async throws {
        let good: [String: Any] = ["phone_number_id": "PN-VENDAS", "access_token": "t", "app_secret": "s", "verify_token": "v"]
        for (field, value) in [("phone_number_id", "../../me"), ("phone_number_id", "PN?fields=x"), ("phone_number_id", "a/b"),
                               ("api_version", "v23.0/../../x"), ("api_version", "latest")] {
            let answer = try await createOverHTTP(config: good.merging([field: value]) { $1 })
            XCTAssertEqual(answer.status, 400, "\(field) = \(value)")
            XCTAssertTrue(answer.message.contains(field), answer.message)
        }
    }

    func test_anInstanceConnectsThroughTheHostsGraphAPI() async throws {
        let id = try await host.createCloudInstance("Vendas", phoneNumberID: "PN-VENDAS", token: "token-vendas", secret: "s-vendas")
        let tenant = try await host.tenant()
        let instance = try await host.daemon.instance(id, for: tenant)
        XCTAssertEqual(instance.phone_number, "5511977770000")
    }

    func test_aGraphURLStoredBeforeItWasRefusedIsIgnored() throws {
        let stored: [String: JSONValue] = ["phone_number_id": .string("PN-VENDAS"), "verify_token": .string("v"),
                                           "graph_url": .string("http://127.0.0.1:9/tenant")]
        let secrets = HostConnectors.split(["access_token": .string("t"), "app_secret": .string("s")]).secrets
        let credentials = MemoryCredentials()
        try credentials.save(secrets, for: "i1")
        let connectors = HostConnectors(simulator: nil, credentials: credentials, graphURL: host.emulator.graphURL)
        let configuration = try connectors.cloudConfiguration("i1", config: stored)
        XCTAssertEqual(configuration.graphURL, host.emulator.graphURL)
        XCTAssertEqual(configuration.accessToken, "t")
    }

    func test_theHostsGraphURLMustBeAnHTTPAddress() {
        for good in ["https://graph.facebook.com", "http://127.0.0.1:8080", "https://proxy.internal/graph/"] {
            XCTAssertTrue(CloudConfiguration.isValidGraphURL(good), good)
        }
        for bad in ["", "graph.facebook.com", "ftp://graph.facebook.com", "file:///etc/passwd", "https://", "http:///x"] {
            XCTAssertFalse(CloudConfiguration.isValidGraphURL(bad), bad)
        }
    }

    func test_theVerifyTokenIsMatchedWhole() {
        let configuration = CloudConfiguration(phoneNumberID: "PN", accessToken: "t", appSecret: "s", verifyToken: "escolha-um")
        XCTAssertTrue(configuration.acceptsVerifyToken("escolha-um"))
        XCTAssertTrue(configuration.acceptsVerifyToken("escolha-um"[...]))
        for wrong in ["", "escolha-u", "escolha-um ", "Escolha-um", "escolha-umx"] {
            XCTAssertFalse(configuration.acceptsVerifyToken(wrong), wrong)
        }
    }

    func test_metasVerificationHandshakeAnswersTheChallengeOnlyForTheToken() async throws {
        let id = try await host.createCloudInstance("Vendas", phoneNumberID: "PN-VENDAS", token: "token-vendas", secret: "s-vendas")
        let good = try await host.get("/webhooks/cloud/\(id)?hub.mode=subscribe&hub.verify_token=verify-Vendas&hub.challenge=42")
        XCTAssertEqual(good.status, 200)
        XCTAssertEqual(String(decoding: good.body, as: UTF8.self), "42")
        for token in ["verify-Vendat", "verify-Venda", "verify-Vendas2", ""] {
            let bad = try await host.get("/webhooks/cloud/\(id)?hub.mode=subscribe&hub.verify_token=\(token)&hub.challenge=42")
            XCTAssertEqual(bad.status, 403, token)
        }
    }

    func test_aNumberConnectedElsewhereAnswersAConflictThatNamesNoInstance() {
        let holder = "0b4b8f4e-6a55-4f7e-9b1e-2f7f3c1d9a10"
        let store = APIError(.phoneInUse(phone: "5511977770000", heldBy: holder))
        XCTAssertEqual(store.status, .conflict)
        XCTAssertFalse(store.message.contains(holder), store.message)
        XCTAssertTrue(store.message.contains("5511977770000"), store.message)
        let simulated = SimulatorAdapter.answer(SimNetworkError.numberConnectedElsewhere(phone: "5511977770000", instanceID: holder))
        XCTAssertEqual(simulated.status, .conflict)
        XCTAssertFalse(simulated.message.contains(holder), simulated.message)
    }

    // MARK: Helpers

    private func createOverHTTP(config: [String: Any]) async throws -> (status: Int, message: String) {
        var request = HTTPClientRequest(url: "\(host.server.baseURL)/api/instances")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(host.key)")
        request.headers.add(name: "Content-Type", value: "application/json")
        let body: [String: Any] = ["name": "ssrf", "connector": "cloud", "config": config]
        request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let bytes = Array(buffer: try await response.body.collect(upTo: 1 << 20))
        let error = (try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])?["error"] as? [String: Any]
        return (Int(response.status.code), error?["message"] as? String ?? String(decoding: bytes, as: UTF8.self))
    }
}

/// Credentials kept in memory, for a connector factory built alone.
private final class MemoryCredentials: CredentialStore {
    private let records = Mutex<[InstanceID: Data]>([:])
    func load(for instance: InstanceID) throws(CredentialError) -> Data? { records.withLock { $0[instance] } }
    func save(_ credentials: Data, for instance: InstanceID) throws(CredentialError) { records.withLock { $0[instance] = credentials } }
    func erase(for instance: InstanceID) throws(CredentialError) { _ = records.withLock { $0.removeValue(forKey: instance) } }
}
