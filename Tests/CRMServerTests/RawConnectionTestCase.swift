import CRMCore
import CRMServer
import CRMSessions
import Foundation
import XCTest

/// A daemon listening on 127.0.0.1 with one cloud instance, "Vendas", for
/// tests that write requests byte for byte (`RawHTTPConnection`) and look at
/// what was stored.
class RawConnectionTestCase: XCTestCase {
    var host: CloudTestHost!
    var vendas: String!

    override func setUp() async throws {
        host = try await CloudTestHost.start()
        vendas = try await host.createCloudInstance("Vendas", phoneNumberID: "PN-VENDAS", token: "token-vendas",
                                                    secret: "s-vendas")
    }

    override func tearDown() async throws {
        await host.stop()
    }

    /// A text message's webhook body, from one contact.
    func signedBody(wamid: String, text: String) -> [UInt8] {
        CloudPayloads.text(phoneNumberID: "PN-VENDAS", wamid: wamid, from: "5511911112222", body: text)
    }

    /// The same, as a POST signed with the instance's app secret.
    func signedWebhook(wamid: String, text: String, closing: Bool = false) -> [UInt8] {
        let body = signedBody(wamid: wamid, text: text)
        return RawHTTPConnection.webhook(body, to: vendas, signature: CloudSignature.header(body: body, appSecret: "s-vendas"),
                                         closing: closing)
    }

    /// The texts stored in the contact's conversation, sorted.
    func inboundTexts() async throws -> [String] {
        let tenant = try await host.tenant()
        guard let conversation = try await host.daemon.conversations(ConversationQuery(), for: tenant).items.first else { return [] }
        return try await host.daemon.messages(in: conversation.id, cursor: nil, limit: 50, for: tenant).items
            .filter { $0.direction == "in" }.map(\.content).sorted()
    }
}
