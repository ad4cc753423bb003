import CRMCore
import CRMScripting
import XCTest

/// The Lua modules shipped with the host, run inside a real sandbox.
final class StandardLibraryTests: XCTestCase {
    /// Runs `body` as a message handler and returns what it stored under "out".
    private func evaluate(_ body: String, text: String = "oi", scene: Scene = Scene()) throws -> JSONValue? {
        let bot = try runtime("on('message', function(msg)\n\(body)\nend)")
        let outcome = bot.handle(scene.message(text), context: scene.context)
        if let failure = outcome.failure { XCTFail(failure.description); return nil }
        for case .kvSet("out", let value) in outcome.actions { return value }
        return nil
    }

    func test_foldIgnoresCaseAndPortugueseAccents() throws {
        XCTAssertEqual(try evaluate("crm.kv.set('out', require('crm.text').fold('  PREÇO   à Vista, AÇÃO '))"),
                       .string("preco a vista, acao"))
    }

    func test_keywordTriggerMatchesWholeWordsIgnoringAccents() throws {
        let result = try evaluate("""
        local t = require "crm.triggers"
        crm.kv.set("out", {
          t.keyword("Qual o PRECO?", { "preço" }) or false,
          t.keyword("apreciação", { "preço" }) or false,
          t.keyword("quanto custa o plano?", { "valor", "quanto custa" }) or false,
          t.keyword("apreciação", { "precia" }, { anywhere = true }) or false,
        })
        """)
        XCTAssertEqual(result, .array([.string("preço"), .bool(false), .string("quanto custa"), .string("precia")]))
    }

    func test_routerRunsTheFirstMatchingRuleWithCaptures() throws {
        let scene = Scene()
        let bot = try runtime("""
        local router = require("crm.triggers").router()
        router:keywords({ "preço" }, function(msg) msg:reply("tabela") end)
        router:pattern("pedido%s*#?(%d+)", function(msg, n) msg:reply("pedido " .. n) end)
        router:otherwise(function(msg) msg:reply("menu") end)
        on("message", function(msg) router:dispatch(msg) end)
        """)
        let replies = ["Preço?", "PEDIDO #77", "bom dia"].map { text in
            bot.handle(scene.message(text), context: scene.context).actions
        }
        XCTAssertEqual(replies, [
            [.send(conversation: scene.conversation, content: OutgoingContent(text: "tabela"))],
            [.send(conversation: scene.conversation, content: OutgoingContent(text: "pedido 77"))],
            [.send(conversation: scene.conversation, content: OutgoingContent(text: "menu"))],
        ])
    }

    func test_businessHoursFollowTheTimeZone() throws {
        // 2026-11-30 is a Monday; 11:59 UTC is 08:59 at -03:00.
        let result = try evaluate("""
        local hours = require "crm.hours"
        local office = hours.new { zone = "-03:00", weekdays = { "09:00", "18:00" }, closed = { "2026-12-25" } }
        local monday_0859 = 1796039940
        crm.kv.set("out", {
          office:is_open(monday_0859),
          office:is_open(monday_0859 + 60),
          office:is_open(monday_0859 + 9 * 3600 + 60),
          office:next_opening(monday_0859) - monday_0859,
          office:describe(monday_0859 + 10 * 3600),
          office:is_open(1798210800),
        })
        """)
        XCTAssertEqual(result, .array([.bool(false), .bool(true), .bool(false), .integer(60), .string("terça às 09:00"),
                                       .bool(false)]))
    }

    func test_badTimeZoneIsAnErrorAtTheCallersLine() throws {
        let scene = Scene()
        let bot = try runtime("local hours = require 'crm.hours'\non('message', function()\n  hours.new { zone = 'Brasil' }\nend)")
        let failure = bot.handle(scene.message("oi"), context: scene.context).failure
        XCTAssertEqual(failure?.file, "vendas/main.lua")
        XCTAssertEqual(failure?.line, 3)
    }

    func test_sessionResumesExpiresAndFinishes() throws {
        let scene = Scene()
        let bot = try runtime("""
        local bot = require("crm.session").new { ttl = 60, finish = { "sair" } }
        on("message", function(msg)
          local s, why = bot:open(msg)
          if not s then msg:reply(why) return end
          msg:reply(tostring(s.state) .. (s.fresh and " novo" or ""))
          s:go("menu")
        end)
        """)
        func say(_ text: String) -> String? {
            let outcome = bot.handle(scene.message(text), context: scene.context)
            scene.context.apply(outcome.actions)
            for case .send(_, let content) in outcome.actions { return content.text }
            return nil
        }
        XCTAssertEqual(say("oi"), "nil novo")
        XCTAssertEqual(say("1"), "menu")
        scene.context.now.addTimeInterval(61)
        XCTAssertEqual(say("oi"), "nil novo", "expired after a minute of silence")
        XCTAssertEqual(say("SAIR"), "finished")
        XCTAssertEqual(say("oi"), "nil novo")
    }

    func test_sessionPausesWhileAnOperatorTalks() throws {
        let scene = Scene()
        scene.context.operatorReplied(in: scene.conversation, at: Scene.clock.addingTimeInterval(-600))
        let script = """
        local bot = require("crm.session").new { pause = 3600 }
        local s, why = bot:open(msg)
        crm.kv.set("out", why or "open")
        """
        XCTAssertEqual(try evaluate(script, scene: scene), .string("paused"))
        scene.context.now.addTimeInterval(3600)
        XCTAssertEqual(try evaluate(script, scene: scene), .string("open"))
    }

    func test_debounceHandsOverOnlyTheLatestBurst() throws {
        let scene = Scene()
        let bot = try runtime("""
        local debounce = require "crm.debounce"
        on("message", function(msg) debounce.push(msg, 30) end)
        on("timer", function(t)
          local burst = debounce.take(t)
          if burst then crm.send(burst.conversation, burst.text) end
        end)
        """)
        for text in ["oi", "tudo bem?"] {
            scene.context.apply(bot.handle(scene.message(text), context: scene.context).actions)
            scene.context.now.addTimeInterval(10)
        }
        var sends: [String] = []
        scene.context.now.addTimeInterval(60)
        while let timer = scene.context.takeDueTimer(until: scene.context.now) {
            let outcome = bot.handle(.timer(timer), context: scene.context)
            scene.context.apply(outcome.actions)
            for case .send(_, let content) in outcome.actions { sends.append(content.text ?? "") }
        }
        XCTAssertEqual(sends, ["oi\ntudo bem?"])
    }

    func test_windowSendsTextWhileOpenAndTemplateAfter24Hours() throws {
        let scene = Scene()
        let script = """
        local window = require "crm.window"
        local open, remaining = window.is_open(msg.conversation)
        window.send(msg.conversation, "texto", { name = "retorno" })
        crm.kv.set("out", { open, remaining })
        """
        let bot = try runtime("on('timer', function(t) local msg = t.payload\n\(script)\nend)")
        func fire() -> ScriptOutcome {
            bot.handle(.timer(TimerEvent(name: "x", payload: .object(["conversation": .integer(scene.conversation)]),
                                         dueAt: scene.context.now)), context: scene.context)
        }
        scene.context.now.addTimeInterval(23 * 3600)
        XCTAssertEqual(fire().actions, [
            .send(conversation: scene.conversation, content: OutgoingContent(text: "texto")),
            .kvSet(key: "out", value: .array([.bool(true), .integer(3600)])),
        ])
        scene.context.now.addTimeInterval(2 * 3600)
        XCTAssertEqual(fire().actions, [
            .send(conversation: scene.conversation, content: OutgoingContent(
                template: .init(name: "retorno", language: "pt_BR", parameters: []))),
            .kvSet(key: "out", value: .array([.bool(false), .integer(0)])),
        ])
    }
}
