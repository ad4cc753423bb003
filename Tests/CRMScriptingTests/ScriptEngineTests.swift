import CRMCore
import CRMScripting
import Foundation
import XCTest

final class ScriptEngineTests: XCTestCase {
    private let vendas = InstanceInfo(id: "i-vendas", name: "vendas", phoneNumber: "5511999998888")
    private let suporte = InstanceInfo(id: "i-suporte", name: "suporte", phoneNumber: nil)

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

    func test_folderBindsByInstanceNameOrPhoneNumber() throws {
        let folder = try ScriptsFolder()
        try folder.write("5511999998888/main.lua", bot("vendas por número"))
        try folder.write("suporte/main.lua", bot("suporte por nome"))
        let engine = ScriptEngine(directory: folder.url)
        engine.instanceAppeared(vendas)
        engine.instanceAppeared(suporte)
        XCTAssertEqual(reply(engine, vendas), "vendas por número")
        XCTAssertEqual(reply(engine, suporte), "suporte por nome")
        XCTAssertEqual(engine.statuses().map(\.folder), ["suporte", "5511999998888"], "sorted by instance name")
        XCTAssertEqual(engine.unboundFolders(), [])
    }

    func test_unboundFolderIsReportedAndBindsWhenItsInstanceAppears() throws {
        let folder = try ScriptsFolder()
        try folder.write("5511977770000/main.lua", bot("filial"))
        let engine = ScriptEngine(directory: folder.url)
        engine.instanceAppeared(suporte)
        XCTAssertEqual(engine.unboundFolders(), ["5511977770000"])
        let filial = InstanceInfo(id: "i-filial", name: "filial", phoneNumber: nil)
        XCTAssertNil(reply(engine, filial), "not paired yet: no number, no bot")
        var paired = filial
        paired.phoneNumber = "5511977770000"
        XCTAssertEqual(reply(engine, paired), "filial", "the first event after pairing binds the folder")
        XCTAssertEqual(engine.unboundFolders(), [])
    }

    func test_statusShowsVersionAndLoadTime() throws {
        let folder = try ScriptsFolder()
        try folder.write("vendas/main.lua", bot("v1"))
        let engine = ScriptEngine(directory: folder.url)
        let status = engine.instanceAppeared(vendas)
        XCTAssertEqual(status.folder, "vendas")
        XCTAssertEqual(status.version?.count, 16)
        XCTAssertNotNil(status.loadedAt)
        XCTAssertNil(status.lastError)
    }

    func test_reloadSwapsToTheNewVersion() throws {
        let folder = try ScriptsFolder()
        try folder.write("vendas/main.lua", bot("v1"))
        let engine = ScriptEngine(directory: folder.url)
        let first = engine.instanceAppeared(vendas).version
        try folder.write("vendas/main.lua", bot("v2"))
        let reloaded = engine.reload()
        XCTAssertNotEqual(reloaded.first?.version, first)
        XCTAssertEqual(reply(engine, vendas), "v2")
    }

    func test_brokenVersionKeepsTheOldOneAndReportsFileAndLine() throws {
        let folder = try ScriptsFolder()
        try folder.write("vendas/main.lua", bot("v1"))
        let problems = Problems()
        let engine = ScriptEngine(directory: folder.url, onProblem: problems.append)
        let good = engine.instanceAppeared(vendas).version
        try folder.write("vendas/main.lua", "on('message', function(msg)\n  msg:reply('v2'\nend)")
        let status = engine.reload().first
        XCTAssertEqual(reply(engine, vendas), "v1")
        XCTAssertEqual(status?.version, good)
        XCTAssertEqual(status?.lastError?.file, "vendas/main.lua")
        XCTAssertEqual(status?.lastError?.line, 3)
        XCTAssertEqual(problems.all.map(\.failure.file), ["vendas/main.lua"])
        XCTAssertEqual(problems.all.first?.keptVersion, good)
        engine.reload()
        XCTAssertEqual(problems.all.count, 1, "the same broken version is reported once")
    }

    func test_errorWhileInitialisingKeepsTheOldVersion() throws {
        let folder = try ScriptsFolder()
        try folder.write("vendas/main.lua", bot("v1"))
        let engine = ScriptEngine(directory: folder.url)
        engine.instanceAppeared(vendas)
        try folder.write("vendas/main.lua", "local pricing = require 'pricing'\n" + bot("v2"))
        let status = engine.reload().first
        XCTAssertEqual(reply(engine, vendas), "v1")
        XCTAssertEqual(status?.lastError?.line, 1)
        try folder.write("vendas/pricing.lua", "return {}")
        XCTAssertNil(engine.reload().first?.lastError, "a good version clears the error")
        XCTAssertEqual(reply(engine, vendas), "v2")
    }

    func test_sharedModuleChangeReloadsEveryBot() throws {
        let folder = try ScriptsFolder()
        try folder.write("_shared/greeting.lua", "return 'olá'")
        try folder.write("vendas/main.lua", "local g = require 'greeting'\non('message', function(msg) msg:reply(g) end)")
        let engine = ScriptEngine(directory: folder.url)
        engine.instanceAppeared(vendas)
        XCTAssertEqual(reply(engine, vendas), "olá")
        try folder.write("_shared/greeting.lua", "return 'bom dia'")
        engine.reload()
        XCTAssertEqual(reply(engine, vendas), "bom dia")
    }

    func test_removingTheFolderUnloadsTheBot() throws {
        let folder = try ScriptsFolder()
        try folder.write("vendas/main.lua", bot("v1"))
        let engine = ScriptEngine(directory: folder.url)
        engine.instanceAppeared(vendas)
        try folder.remove("vendas")
        let status = engine.reload().first
        XCTAssertNil(reply(engine, vendas))
        XCTAssertNil(status?.folder)
        XCTAssertNil(status?.version)
    }

    func test_removedInstanceIsForgottenAndItsFolderUnbound() throws {
        let folder = try ScriptsFolder()
        try folder.write("vendas/main.lua", bot("v1"))
        let engine = ScriptEngine(directory: folder.url)
        engine.instanceAppeared(vendas)
        engine.instanceRemoved(vendas.id)
        XCTAssertEqual(engine.statuses().count, 0)
        XCTAssertEqual(engine.unboundFolders(), ["vendas"])
    }

    func test_folderWithoutMainIsReportedOnceAndLoadsWhenMainAppears() throws {
        let folder = try ScriptsFolder()
        try folder.write("vendas/pricing.lua", "return {}")
        let problems = Problems()
        let engine = ScriptEngine(directory: folder.url, onProblem: problems.append)
        XCTAssertEqual(engine.instanceAppeared(vendas).lastError?.message, "vendas/main.lua not found: every bot folder needs one")
        engine.reload()
        XCTAssertEqual(problems.all.count, 1)
        try folder.write("vendas/main.lua", bot("pronto"))
        engine.reload()
        XCTAssertEqual(reply(engine, vendas), "pronto")
    }

    func test_runawayBotOnOneInstanceDoesNotStopAnother() throws {
        let folder = try ScriptsFolder()
        try folder.write("vendas/main.lua", "on('message', function() while true do end end)")
        try folder.write("suporte/main.lua", bot("suporte ok"))
        var caps = ScriptCaps()
        caps.lua.instructionsPerCall = 200_000
        let engine = ScriptEngine(directory: folder.url, caps: caps)
        XCTAssertNil(reply(engine, vendas))
        XCTAssertEqual(engine.statuses().first { $0.instance.id == vendas.id }?.lastError?.kind, "instruction limit")
        XCTAssertEqual(reply(engine, suporte), "suporte ok")
    }

    func test_eventFailureIsRecordedInTheStatus() throws {
        let folder = try ScriptsFolder()
        try folder.write("vendas/main.lua", "on('message', function(msg)\n  error('quebrou')\nend)")
        let engine = ScriptEngine(directory: folder.url)
        engine.instanceAppeared(vendas)
        XCTAssertNil(reply(engine, vendas))
        let error = engine.statuses().first?.lastError
        XCTAssertEqual(error?.description, "vendas/main.lua:2: quebrou")
    }

    func test_savingAFileReloadsTheRunningBotWithinASecond() throws {
        let folder = try ScriptsFolder()
        try folder.write("vendas/main.lua", bot("v1"))
        let engine = ScriptEngine(directory: folder.url)
        engine.instanceAppeared(vendas)
        try engine.watch()
        defer { engine.stopWatching() }
        try folder.write("vendas/main.lua", bot("v2"))
        XCTAssertTrue(eventually(within: 1) { reply(engine, vendas) == "v2" }, "the next events are handled by the new version")
    }

    func test_savingABrokenFileKeepsTheOldBotAnsweringAndReportsTheError() throws {
        let folder = try ScriptsFolder()
        try folder.write("vendas/main.lua", bot("v1"))
        let problems = Problems()
        let engine = ScriptEngine(directory: folder.url, onProblem: problems.append)
        engine.instanceAppeared(vendas)
        try engine.watch()
        defer { engine.stopWatching() }
        try folder.write("vendas/main.lua", "\n\non('message', function(msg) msg:reply('v2') end")
        XCTAssertTrue(eventually(within: 2) { !problems.all.isEmpty })
        XCTAssertEqual(reply(engine, vendas), "v1")
        XCTAssertEqual(problems.all.first?.failure.file, "vendas/main.lua")
        XCTAssertEqual(problems.all.first?.failure.line, 3)
    }

    func test_newFolderAndRemovedFolderAreSeenByTheWatcher() throws {
        let folder = try ScriptsFolder()
        let engine = ScriptEngine(directory: folder.url)
        engine.instanceAppeared(vendas)
        try engine.watch()
        defer { engine.stopWatching() }
        try folder.write("vendas/main.lua", bot("novo"))
        XCTAssertTrue(eventually(within: 2) { reply(engine, vendas) == "novo" })
        try folder.remove("vendas")
        XCTAssertTrue(eventually(within: 2) { reply(engine, vendas) == nil })
    }

    func test_noEventIsLostOrHandledTwiceAcrossReloads() throws {
        let folder = try ScriptsFolder()
        try folder.write("vendas/main.lua", bot("v0"))
        let engine = ScriptEngine(directory: folder.url)
        engine.instanceAppeared(vendas)
        let handled = Counter()
        let reloads = DispatchQueue(label: "reloads")
        let done = DispatchSemaphore(value: 0)
        let versions = (1...20).map { bot("v\($0)") }
        let path = folder.url.appendingPathComponent("vendas/main.lua")
        reloads.async {
            for version in versions {
                try? version.write(to: path, atomically: true, encoding: .utf8)
                engine.reload()
            }
            done.signal()
        }
        let scene = Scene(instance: vendas)
        for index in 0..<400 {
            let outcome = engine.handle(scene.message("oi", id: "wamid.\(index)"), context: scene.context)
            if outcome.actions.count == 1 { handled.increment() }
        }
        done.wait()
        XCTAssertEqual(handled.value, 400, "every event got exactly one reply from exactly one version")
    }
}

/// Polls `condition` until it holds or `seconds` pass.
func eventually(within seconds: TimeInterval, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        Thread.sleep(forTimeInterval: 0.005)
    }
    return condition()
}

final class Problems: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [ScriptProblem] = []
    var all: [ScriptProblem] { lock.withLock { stored } }
    func append(_ problem: ScriptProblem) { lock.withLock { stored.append(problem) } }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    var value: Int { lock.withLock { count } }
    func increment() { lock.withLock { count += 1 } }
}
