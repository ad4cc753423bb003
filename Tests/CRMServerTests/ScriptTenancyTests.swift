import CRMCore
@testable import CRMServer
import Foundation
import Logging
import XCTest

/// SPEC §6: a bot folder binds only instances of its own company, and a
/// company sees and reloads only its own bots. Instance names are chosen by
/// tenants, so another company naming an instance like a folder of `default`
/// must get nothing of it.
final class ScriptTenancyTests: XCTestCase {
    private var host: TenancyHost!

    override func setUp() async throws {
        host = try await TenancyHost.start()
    }

    override func tearDown() async throws {
        await host.stop()
    }

    func test_otherCompanysInstanceNamedLikeADefaultFolderRunsNoBot() async throws {
        let own = try await host.pair("vendas", phone: "5511999990001", tenant: host.defaultCompany)
        let foreign = try await host.pair("vendas", phone: "5511999990002", tenant: host.beta)

        let ownAnswers = try await host.exchange("oi", to: own, from: "5511911110001", tenant: host.defaultCompany)
        let foreignAnswers = try await host.exchange("oi", to: foreign, from: "5511911110002", tenant: host.beta)

        XCTAssertEqual(ownAnswers, ["bot do default"], "the default company keeps the top-level layout")
        XCTAssertEqual(foreignAnswers, [], "beta's `vendas` must not run default's bot on beta's customers")
    }

    func test_laterCompanyNamedLikeAnotherGetsNoneOfItsBots() async throws {
        let namesake = try host.daemon.store.createCompany(name: "default")
        let key = try host.daemon.store.createAPIKey(company: namesake.id, name: "namesake").plaintext
        let found = await host.daemon.tenant(forKey: key)
        let tenant = try XCTUnwrap(found)
        let instance = try await host.pair("vendas", phone: "5511999990003", tenant: tenant)

        let answers = try await host.exchange("oi", to: instance, from: "5511911110003", tenant: tenant)
        _ = try await host.daemon.reloadScripts(for: tenant)

        XCTAssertEqual(answers, [], "a company cannot take another's bots by taking its name")
        let status = try await host.daemon.scripts(for: tenant).first { $0.instance.id == instance.id }
        XCTAssertNil(status?.folder)
    }

    func test_scriptsListOfAnotherCompanyShowsNothingOfAnothersBot() async throws {
        let foreign = try await host.pair("vendas", phone: "5511999990002", tenant: host.beta)
        _ = try await host.exchange("falha", to: foreign, from: "5511911110002", tenant: host.beta)

        let listed = try await host.daemon.scripts(for: host.beta)
        let status = try XCTUnwrap(listed.first { $0.instance.id == foreign.id })
        XCTAssertNil(status.folder, "no folder of beta is named `vendas`")
        XCTAssertNil(status.version)
        XCTAssertNil(status.last_error, "default's error and file name stay default's")
    }

    func test_reloadByAnotherCompanyLeavesTheDefaultBotsAlone() async throws {
        let own = try await host.pair("vendas", phone: "5511999990001", tenant: host.defaultCompany)
        host.daemon.scripts.stopWatching()
        let before = try await host.version(of: own, tenant: host.defaultCompany)
        try host.write("vendas/main.lua", #"on("message", function(msg) msg:reply("v2") end)"#)

        _ = try await host.daemon.reloadScripts(for: host.beta)
        let afterForeignReload = try await host.version(of: own, tenant: host.defaultCompany)
        XCTAssertEqual(afterForeignReload, before, "beta's reload must not touch default's bots")

        _ = try await host.daemon.reloadScripts(for: host.defaultCompany)
        let afterOwnReload = try await host.version(of: own, tenant: host.defaultCompany)
        XCTAssertNotEqual(afterOwnReload, before, "the owner's reload loads the new version")
    }

    func test_eventStreamOfAnotherCompanyCarriesNoScriptErrorOfAnother() async throws {
        let foreign = try await host.pair("vendas", phone: "5511999990002", tenant: host.beta)
        let events = await host.daemon.events(for: host.beta)
        _ = try await host.exchange("falha", to: foreign, from: "5511911110002", tenant: host.beta)
        _ = try await host.exchange("depois", to: foreign, from: "5511911110002", tenant: host.beta)

        var seen: [ServerEvent] = []
        for await event in events {
            seen.append(event)
            if event.type == "message", event.json.contains("depois") { break }
        }
        XCTAssertEqual(seen.filter { $0.type == "script" }.map(\.json), [])
        XCTAssertFalse(seen.contains { $0.json.contains("vendas/main.lua") })
    }

    func test_ownFolderUnderCompaniesBindsTheCompanysInstanceWithItsOwnShared() async throws {
        try host.write("companies/beta/_shared/preco.lua", #"return "tabela da beta""#)
        try host.write("companies/beta/vendas/main.lua", """
            local preco = require("preco")
            on("message", function(msg) msg:reply("bot da beta: " .. preco) end)
            """)
        _ = try await host.daemon.reloadScripts(for: host.beta)
        let own = try await host.pair("vendas", phone: "5511999990002", tenant: host.beta)
        let defaults = try await host.pair("vendas", phone: "5511999990001", tenant: host.defaultCompany)

        let answers = try await host.exchange("oi", to: own, from: "5511911110002", tenant: host.beta)
        XCTAssertEqual(answers, ["bot da beta: tabela da beta"])
        let status = try await host.daemon.scripts(for: host.beta).first { $0.instance.id == own.id }
        XCTAssertEqual(status?.folder, "vendas")
        XCTAssertNotNil(status?.version)
        let defaultAnswers = try await host.exchange("oi", to: defaults, from: "5511911110001",
                                                     tenant: host.defaultCompany)
        XCTAssertEqual(defaultAnswers, ["bot do default"], "default's `vendas` keeps its own bot")
    }
}

/// A daemon with the simulated network, a bot folder `vendas` of the company
/// `default` (answers, and fails on "falha"), and a second company `beta`.
private final class TenancyHost: @unchecked Sendable {
    let daemon: Daemon
    let folder: URL
    let defaultCompany: Tenant
    let beta: Tenant

    private init(daemon: Daemon, folder: URL, defaultCompany: Tenant, beta: Tenant) {
        self.daemon = daemon; self.folder = folder; self.defaultCompany = defaultCompany; self.beta = beta
    }

    static func start() async throws -> TenancyHost {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("crm-tenancy-\(UUID().uuidString)")
        let scripts = folder.appendingPathComponent("scripts")
        let data = folder.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: scripts, withIntermediateDirectories: true)
        try TenancyHost.write(scripts, "vendas/main.lua", """
            on("message", function(msg)
              if msg.text == "falha" then error("segredo do default") end
              msg:reply("bot do default")
            end)
            """)
        var logger = Logger(label: "tenancy")
        logger.logLevel = .critical
        let daemon = try await Daemon.open(DaemonConfiguration(dataDirectory: data, scriptsDirectory: scripts,
                                                               simulatedNetwork: true, bootstrapKey: "tenancy-default"),
                                           logger: logger)
        try await daemon.start()
        let betaKey = try Daemon.createKey(company: "beta", name: "test", dataDirectory: data)
        let defaultFound = await daemon.tenant(forKey: "tenancy-default")
        let betaFound = await daemon.tenant(forKey: betaKey)
        let defaultCompany = try XCTUnwrap(defaultFound)
        let beta = try XCTUnwrap(betaFound)
        return TenancyHost(daemon: daemon, folder: folder, defaultCompany: defaultCompany, beta: beta)
    }

    func stop() async {
        await daemon.shutdown()
        try? FileManager.default.removeItem(at: folder)
    }

    func write(_ path: String, _ text: String) throws {
        try TenancyHost.write(folder.appendingPathComponent("scripts"), path, text)
    }

    private static func write(_ scripts: URL, _ path: String, _ text: String) throws {
        let file = scripts.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: file, atomically: true, encoding: .utf8)
    }

    /// Creates an instance and pairs `phone` with it through the simulated network.
    func pair(_ name: String, phone: String, tenant: Tenant) async throws -> InstanceJSON {
        let created = try await daemon.createInstance(NewInstance(name: name, connector: "sim", config: [:]), for: tenant)
        _ = try await daemon.connect(created.id, for: tenant)
        let simulator = try XCTUnwrap(daemon.simulator)
        var qr: String?
        for _ in 0..<200 where qr == nil {
            qr = try await daemon.instance(created.id, for: tenant).qr_code
            if qr == nil { try await Task.sleep(for: .milliseconds(10)) }
        }
        _ = try await simulator.scan(qr: try XCTUnwrap(qr), phone: phone)
        for _ in 0..<500 {
            let current = try await daemon.instance(created.id, for: tenant)
            if current.status == "CONNECTED" { return current }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw NotConnected(instance: name)
    }

    /// A contact writes; returns what the bot answered in the same commit.
    func exchange(_ text: String, to instance: InstanceJSON, from contact: String, tenant: Tenant) async throws -> [String] {
        let simulator = try XCTUnwrap(daemon.simulator)
        _ = try await simulator.contactWrites(to: try XCTUnwrap(instance.phone_number), from: contact, name: "Cliente",
                                              text: text, id: nil, group: nil)
        let conversations = try await daemon.conversations(ConversationQuery(instanceID: instance.id), for: tenant)
        let conversation = try XCTUnwrap(conversations.items.first)
        let messages = try await daemon.messages(in: conversation.id, cursor: nil, limit: 50, for: tenant)
        return messages.items.reversed().drop { $0.content != text || $0.direction != "in" }.dropFirst()
            .filter { $0.direction == "out" }.map(\.content)
    }

    func version(of instance: InstanceJSON, tenant: Tenant) async throws -> String? {
        try await daemon.scripts(for: tenant).first { $0.instance.id == instance.id }?.version
    }
}

private struct NotConnected: Error {
    let instance: String
}
