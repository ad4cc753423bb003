import CRMScripting
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest

final class FixtureRunnerTests: XCTestCase {
    /// The repository's own `scripts/` folder with the example bots.
    private let examples = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("scripts")

    private let echoBot = """
    on("message", function(msg)
      msg:reply("eco: " .. msg.text)
      crm.tag(msg.conversation, "visto")
      crm.kv.incr("mensagens")
    end)
    """

    func test_exampleBotsPassTheirFixtures() {
        let run = FixtureRunner(directory: examples).run()
        XCTAssertTrue(run.passed, run.text())
        XCTAssertEqual(Set(run.results.map(\.file)), ["5511999998888/tests/sales.yaml", "5511988887777/tests/support.yaml"])
    }

    func test_wrongExpectationFailsWithADiffPointingAtTheFixtureLine() throws {
        let folder = try ScriptsFolder()
        try folder.write("vendas/main.lua", echoBot)
        try folder.write("vendas/tests/echo.yaml", """
        instance: { name: vendas, phone: "5511999998888" }
        cases:
          - name: echo
            events:
              - message: { from: "5511911112222", text: "oi" }
            expect:
              sends: [ { to: "5511911112222", text: "eco: tchau" } ]
              tags: { "5511911112222": [lead] }
              kv: { mensagens: 2 }
        """)
        let run = FixtureRunner(directory: folder.url).run()
        XCTAssertFalse(run.passed)
        let failures = try XCTUnwrap(run.results.first?.failures)
        XCTAssertEqual(failures.map(\.location), ["vendas/tests/echo.yaml:7", "vendas/tests/echo.yaml:8",
                                                  "vendas/tests/echo.yaml:9"])
        XCTAssertEqual(failures[0].expected, ["1. to 5511911112222, text \"eco: tchau\""])
        XCTAssertEqual(failures[0].actual, ["1. to 5511911112222, text \"eco: oi\""])
        XCTAssertEqual(failures[1].expected, ["[lead]"])
        XCTAssertEqual(failures[1].actual, ["[visto]"])
        XCTAssertEqual(failures[2].actual, ["1"])
        let report = run.text()
        XCTAssertTrue(report.contains("✗ vendas/tests/echo.yaml:3  echo"), report)
        XCTAssertTrue(report.contains("sends  (vendas/tests/echo.yaml:7)"), report)
        XCTAssertTrue(report.contains("expected: 1. to 5511911112222, text \"eco: tchau\""), report)
        XCTAssertTrue(report.contains("actual:   1. to 5511911112222, text \"eco: oi\""), report)
    }

    func test_unexpectedSendsFailUnlessTheCaseAllowsThem() throws {
        let folder = try ScriptsFolder()
        try folder.write("vendas/main.lua", echoBot)
        try folder.write("vendas/tests/echo.yaml", """
        cases:
          - name: silent expected
            events: [ { message: { from: "5511911112222", text: "oi" } } ]
            expect: { tags: { "5511911112222": [visto] } }
          - name: others allowed
            events: [ { message: { from: "5511911112222", text: "oi" } } ]
            expect: { allow_other_sends: true }
        """)
        let results = FixtureRunner(directory: folder.url).run().results
        XCTAssertEqual(results.map(\.passed), [false, true])
        XCTAssertTrue(results[0].failures.first?.subject.hasPrefix("unexpected sends") == true)
    }

    func test_advanceFiresDueTimersInOrder() throws {
        let folder = try ScriptsFolder()
        try folder.write("vendas/main.lua", """
        on("message", function(msg)
          crm.after(120, "segundo", { c = msg.conversation })
          crm.after(60, "primeiro", { c = msg.conversation })
        end)
        on("timer", function(t) crm.send(t.payload.c, t.name .. " " .. os.date("!%H:%M", t.due_at)) end)
        """)
        try folder.write("vendas/tests/timers.yaml", """
        clock: "2026-11-30T10:00:00-03:00"
        cases:
          - name: both fire
            events:
              - message: { from: "5511911112222", text: "oi" }
              - advance: 90s
              - advance: 1m
            expect:
              sends: [ { text: "primeiro 13:01" }, { text: "segundo 13:02" } ]
          - name: not yet
            events:
              - message: { from: "5511911112222", text: "oi" }
              - advance: 59s
            expect:
              sends: []
        """)
        let run = FixtureRunner(directory: folder.url).run()
        XCTAssertTrue(run.passed, run.text())
    }

    func test_scriptErrorFailsTheCaseWithScriptFileAndLine() throws {
        let folder = try ScriptsFolder()
        try folder.write("vendas/main.lua", "on('message', function(msg)\n  crm.send(999, 'x')\nend)")
        try folder.write("vendas/tests/error.yaml", """
        cases:
          - name: unexpected error
            events: [ { message: { from: "5511911112222", text: "oi" } } ]
          - name: expected error
            events: [ { message: { from: "5511911112222", text: "oi" } } ]
            expect: { error: "/does not belong to instance vendas/" }
        """)
        let results = FixtureRunner(directory: folder.url).run().results
        XCTAssertEqual(results.map(\.passed), [false, true])
        XCTAssertEqual(results[0].failures.first?.location, "vendas/tests/error.yaml:3")
        XCTAssertEqual(results[0].failures.first?.actual, ["vendas/main.lua:2: conversation 999 does not belong to instance vendas"])
    }

    func test_badFixtureIsReportedWithItsLine() throws {
        let folder = try ScriptsFolder()
        try folder.write("vendas/main.lua", echoBot)
        try folder.write("vendas/tests/bad.yaml", "cases:\n  - name: x\n    events:\n      - mesage: { from: \"1\" }\n")
        let run = FixtureRunner(directory: folder.url).run()
        XCTAssertFalse(run.passed)
        XCTAssertEqual(run.problems.first?.line, 4)
        XCTAssertTrue(run.text().contains("vendas/tests/bad.yaml:4: unknown event 'mesage'"), run.text())
    }

    /// Found by the fixture fuzz target: `advance: inf` moved the clock to
    /// infinity and the next event trapped converting it to epoch seconds.
    func test_advanceThatNoClockCanHoldIsAFixtureError() throws {
        let folder = try ScriptsFolder()
        try folder.write("vendas/main.lua", echoBot)
        for duration in ["inf", "nan", "-inf", "1e300", "9999999999999999999d", "-300", "101y"] {
            try folder.write("vendas/tests/far.yaml", """
            cases:
              - name: far
                events:
                  - advance: \(duration)
                  - message: { from: "5511911112222", text: "oi" }
            """)
            let run = FixtureRunner(directory: folder.url).run()
            XCTAssertEqual(run.problems.first?.line, 4, "advance: \(duration)")
            XCTAssertTrue(run.text().contains("advance takes a duration"), run.text())
        }
    }

    func test_runWithoutCasesFails() throws {
        let folder = try ScriptsFolder()
        try folder.write("vendas/main.lua", echoBot)
        let run = FixtureRunner(directory: folder.url).run()
        XCTAssertFalse(run.passed)
        XCTAssertTrue(run.text().contains("no fixture cases found"))
        XCTAssertFalse(FixtureRunner(directory: examples).run(filter: "no case is called this").passed)
    }

    func test_filterSelectsCasesByNameOrFile() {
        let byName = FixtureRunner(directory: examples).run(filter: "NAMES THE NEXT OPENING")
        XCTAssertEqual(byName.results.map(\.name), ["the answer out of hours names the next opening"])
        let byFile = FixtureRunner(directory: examples).run(filter: "support.yaml")
        XCTAssertTrue(byFile.results.allSatisfy { $0.file == "5511988887777/tests/support.yaml" })
        XCTAssertFalse(byFile.results.isEmpty)
    }

    func test_junitReportListsEveryCaseAndItsFailure() throws {
        let folder = try ScriptsFolder()
        try folder.write("vendas/main.lua", echoBot)
        try folder.write("vendas/tests/echo.yaml", """
        cases:
          - name: passes
            events: [ { message: { from: "5511911112222", text: "oi" } } ]
            expect: { sends: [ { text: "/^eco: oi$/" } ] }
          - name: fails <badly>
            events: [ { message: { from: "5511911112222", text: "oi" } } ]
            expect: { sends: [ { text: "nada" } ] }
        """)
        let xml = FixtureRunner(directory: folder.url).run().junit()
        let document = try XMLDocument(xmlString: xml)
        let cases = try document.nodes(forXPath: "//testcase")
        XCTAssertEqual(cases.count, 2)
        XCTAssertEqual(try document.nodes(forXPath: "//testcase/failure").count, 1)
        XCTAssertEqual(try document.nodes(forXPath: "//testcase[failure]/@name").first?.stringValue, "fails <badly>")
        XCTAssertEqual(try document.nodes(forXPath: "//testsuite/@failures").first?.stringValue, "1")
    }
}
