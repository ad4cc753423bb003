import CRMScripting
import Foundation
import XCTest

/// SPEC §6–7: bot authors of every company test their rules, so `crm-host
/// test` also finds `DIR/companies/*/*/tests/*.yaml`, each case running the
/// company's own bot and `_shared/`.
final class CompanyFixtureTests: XCTestCase {
    private let fixture = """
    instance: { name: vendas }
    cases:
      - name: answers with the company's price
        events:
          - message: { from: "5511911112222", text: "preço?" }
        expect:
          sends: [ { to: "5511911112222", text: "%@" } ]
    """
    private let main = "local preco = require 'preco'\non('message', function(msg) msg:reply(preco) end)"

    func test_fixturesOfOtherCompaniesRunAgainstTheirOwnBots() throws {
        let folder = try ScriptsFolder()
        try folder.write("_shared/preco.lua", "return 'tabela do default'")
        try folder.write("vendas/main.lua", main)
        try folder.write("vendas/tests/preco.yaml", fixture.replacingOccurrences(of: "%@", with: "tabela do default"))
        try folder.write("companies/beta/_shared/preco.lua", "return 'tabela da beta'")
        try folder.write("companies/beta/vendas/main.lua", main)
        try folder.write("companies/beta/vendas/tests/preco.yaml",
                         fixture.replacingOccurrences(of: "%@", with: "tabela da beta"))

        let run = FixtureRunner(directory: folder.url).run()

        XCTAssertEqual(run.results.map(\.file), ["vendas/tests/preco.yaml", "companies/beta/vendas/tests/preco.yaml"])
        XCTAssertTrue(run.passed, run.text())
    }

    func test_companiesFolderIsNotTakenForABotOfDefault() throws {
        let folder = try ScriptsFolder()
        try folder.write("companies/main.lua", main)
        try folder.write("companies/tests/preco.yaml", fixture.replacingOccurrences(of: "%@", with: "x"))
        let run = FixtureRunner(directory: folder.url).run()
        XCTAssertEqual(run.results.map(\.file), [])
    }
}
