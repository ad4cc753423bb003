import CRMCore
import CRMScripting
import Foundation
import XCTest

/// SPEC §6: folders at the top of the scripts directory serve the company
/// `default`; another company's bots live under `companies/<name>/`, with its
/// own `_shared/`, and bind only that company's instances.
final class CompanyBindingTests: XCTestCase {
    private let defaultVendas = InstanceInfo(id: "i-default-vendas", name: "vendas", phoneNumber: "5511999990001")
    private let betaVendas = InstanceInfo(id: "i-beta-vendas", name: "vendas", phoneNumber: "5511999990002")
    private let beta = CompanyFolder(company: "beta")!

    /// Instances whose id starts with `i-beta` are beta's, the others default's.
    private func engine(_ folder: ScriptsFolder) -> ScriptEngine {
        let beta = self.beta
        return ScriptEngine(directory: folder.url, companyFolder: { $0.id.hasPrefix("i-beta") ? beta : .default })
    }

    private func bot(_ answer: String) -> String {
        "on('message', function(msg) msg:reply('\(answer)') end)"
    }

    private func reply(_ engine: ScriptEngine, _ instance: InstanceInfo) -> String? {
        let scene = Scene(instance: instance)
        guard case .send(_, let content)? = engine.handle(scene.message("oi"), context: scene.context).actions.first else {
            return nil
        }
        return content.text
    }

    func test_defaultFolderDoesNotBindAnotherCompanysInstanceOfTheSameName() throws {
        let folder = try ScriptsFolder()
        try folder.write("vendas/main.lua", bot("default"))
        let engine = engine(folder)
        XCTAssertEqual(reply(engine, defaultVendas), "default")
        XCTAssertNil(reply(engine, betaVendas))
        let status = engine.statuses().first { $0.instance.id == betaVendas.id }
        XCTAssertNil(status?.folder)
        XCTAssertNil(status?.version)
    }

    func test_defaultFolderNamedByNumberDoesNotBindAnotherCompanysInstanceOfThatNumber() throws {
        let folder = try ScriptsFolder()
        try folder.write("5511999990002/main.lua", bot("default por número"))
        let engine = engine(folder)
        XCTAssertNil(reply(engine, betaVendas))
        XCTAssertEqual(engine.unboundFolders(), ["5511999990002"])
    }

    func test_companyFolderBindsItsOwnInstanceByNameOrNumber() throws {
        let folder = try ScriptsFolder()
        try folder.write("vendas/main.lua", bot("default"))
        try folder.write("companies/beta/vendas/main.lua", bot("beta"))
        try folder.write("companies/beta/5511999990003/main.lua", bot("beta por número"))
        let suporte = InstanceInfo(id: "i-beta-suporte", name: "suporte", phoneNumber: "+55 11 99999-0003")
        let engine = engine(folder)
        XCTAssertEqual(reply(engine, betaVendas), "beta")
        XCTAssertEqual(reply(engine, suporte), "beta por número")
        XCTAssertEqual(reply(engine, defaultVendas), "default")
        let status = engine.statuses().first { $0.instance.id == betaVendas.id }
        XCTAssertEqual(status?.folder, "vendas", "named within the company's own folder")
        XCTAssertEqual(status?.path, "companies/beta/vendas")
        XCTAssertEqual(status?.company, beta)
    }

    func test_companyFolderDoesNotBindTheDefaultCompanysInstance() throws {
        let folder = try ScriptsFolder()
        try folder.write("companies/beta/vendas/main.lua", bot("beta"))
        let engine = engine(folder)
        XCTAssertNil(reply(engine, defaultVendas))
        XCTAssertEqual(engine.unboundFolders(), ["companies/beta/vendas"])
    }

    func test_companiesFolderIsNoInstanceFolderOfDefault() throws {
        let folder = try ScriptsFolder()
        try folder.write("companies/main.lua", bot("não é um bot"))
        try folder.write("companies/beta/vendas/main.lua", bot("beta"))
        let named = InstanceInfo(id: "i-default-companies", name: "companies", phoneNumber: nil)
        let engine = engine(folder)
        XCTAssertNil(reply(engine, named))
        XCTAssertFalse(engine.unboundFolders().contains("companies"))
    }

    func test_requireOfASharedModuleFindsTheCompanysOwnShared() throws {
        let folder = try ScriptsFolder()
        try folder.write("_shared/preco.lua", "return 'preço do default'")
        try folder.write("companies/beta/_shared/preco.lua", "return 'preço da beta'")
        let main = "local preco = require 'preco'\non('message', function(msg) msg:reply(preco) end)"
        try folder.write("vendas/main.lua", main)
        try folder.write("companies/beta/vendas/main.lua", main)
        let engine = engine(folder)
        XCTAssertEqual(reply(engine, defaultVendas), "preço do default")
        XCTAssertEqual(reply(engine, betaVendas), "preço da beta")
    }

    func test_companyWithoutItsOwnSharedDoesNotReachDefaultsShared() throws {
        let folder = try ScriptsFolder()
        try folder.write("_shared/segredo.lua", "return 'segredo do default'")
        try folder.write("companies/beta/vendas/main.lua",
                         "local ok = pcall(require, 'segredo')\non('message', function(msg) msg:reply(tostring(ok)) end)")
        XCTAssertEqual(reply(engine(folder), betaVendas), "false")
    }

    func test_reloadOfOneCompanyLeavesTheOthersBotsAsTheyAre() throws {
        let folder = try ScriptsFolder()
        try folder.write("vendas/main.lua", bot("default v1"))
        try folder.write("companies/beta/vendas/main.lua", bot("beta v1"))
        let engine = engine(folder)
        engine.instanceAppeared(defaultVendas)
        engine.instanceAppeared(betaVendas)
        try folder.write("vendas/main.lua", bot("default v2"))
        try folder.write("companies/beta/vendas/main.lua", bot("beta v2"))

        let reloaded = engine.reload(company: beta)

        XCTAssertEqual(reloaded.map(\.instance.id), [betaVendas.id], "only beta's bots are answered")
        XCTAssertEqual(reply(engine, betaVendas), "beta v2")
        XCTAssertEqual(reply(engine, defaultVendas), "default v1")
        engine.reload(company: .default)
        XCTAssertEqual(reply(engine, defaultVendas), "default v2")
    }

    func test_savingUnderACompanysFolderReloadsOnlyThatCompany() throws {
        let folder = try ScriptsFolder()
        try folder.write("vendas/main.lua", bot("default v1"))
        try folder.write("companies/beta/vendas/main.lua", bot("beta v1"))
        let engine = engine(folder)
        engine.instanceAppeared(defaultVendas)
        engine.instanceAppeared(betaVendas)
        try folder.write("vendas/main.lua", bot("default v2"))
        try engine.watch()
        defer { engine.stopWatching() }

        try folder.write("companies/beta/vendas/main.lua", bot("beta v2"))

        XCTAssertTrue(eventually(within: 2) { reply(engine, betaVendas) == "beta v2" })
        XCTAssertEqual(reply(engine, defaultVendas), "default v1", "default's unsaved change waits for its own reload")
    }

    func test_newCompanyFolderIsSeenByTheWatcher() throws {
        let folder = try ScriptsFolder()
        let engine = engine(folder)
        engine.instanceAppeared(betaVendas)
        try engine.watch()
        defer { engine.stopWatching() }
        try folder.write("companies/beta/vendas/main.lua", bot("beta novo"))
        XCTAssertTrue(eventually(within: 2) { reply(engine, betaVendas) == "beta novo" })
    }

    func test_companyWhoseNameIsNoFolderNameHasNoFolder() {
        for name in ["", ".", "..", ".oculta", "a/b", "../default", "nul\0"] {
            XCTAssertNil(CompanyFolder(company: name), name)
        }
        XCTAssertEqual(CompanyFolder(company: "default"), .default)
        XCTAssertEqual(CompanyFolder(company: "beta")?.path, "companies/beta")
    }

    func test_instanceWhoseCompanyMayRunNoBotsGetsNone() throws {
        let folder = try ScriptsFolder()
        try folder.write("vendas/main.lua", bot("default"))
        let engine = ScriptEngine(directory: folder.url, companyFolder: { _ in nil })
        XCTAssertNil(reply(engine, defaultVendas))
        XCTAssertNil(engine.statuses().first?.company)
    }
}
