import CRMCore
import CRMScripting
import XCTest

final class CRMAPITests: XCTestCase {
    func test_replyAndSendRecordSendsToTheConversation() throws {
        let scene = Scene()
        let bot = try runtime("""
        on("message", function(msg)
          msg:reply("oi " .. msg.name)
          crm.send(msg.conversation, { text = "segue", media = { type = "image", url = "https://x/y.png" }, reply_to = msg.id })
          crm.send(msg.conversation, { template = { name = "boas_vindas", parameters = { "João" } } })
        end)
        """)
        let outcome = bot.handle(scene.message("olá"), context: scene.context)
        XCTAssertNil(outcome.failure)
        XCTAssertEqual(outcome.actions, [
            .send(conversation: scene.conversation, content: OutgoingContent(text: "oi João")),
            .send(conversation: scene.conversation, content: OutgoingContent(
                text: "segue", media: Media(type: "image", url: "https://x/y.png"), replyTo: "wamid.1")),
            .send(conversation: scene.conversation, content: OutgoingContent(
                template: .init(name: "boas_vindas", language: "pt_BR", parameters: ["João"]))),
        ])
    }

    func test_messageEventCarriesTheFieldsOfTheSpec() throws {
        let scene = Scene()
        let bot = try runtime("""
        on("message", function(msg)
          crm.kv.set("seen", { msg.id, msg.conversation, msg.from, msg.phone, msg.user_id or "nil", msg.name, msg.text,
                               msg.is_group, msg.group == nil, msg.media.type, msg.media.caption, msg.at })
        end)
        """)
        let view = scene.context.conversation(scene.conversation)!
        let event = ScriptEvent.message(MessageEvent(
            whatsappID: "wamid.9", conversation: scene.conversation, contact: view.contact, name: "João", text: "foto",
            media: Media(type: "image", url: "u", mime: "image/png", caption: "legenda"), at: Scene.clock))
        let outcome = bot.handle(event, context: scene.context)
        XCTAssertEqual(outcome.actions, [.kvSet(key: "seen", value: .array([
            .string("wamid.9"), .integer(scene.conversation), .string("5511911112222"), .string("5511911112222"),
            .string("nil"), .string("João"), .string("foto"), .bool(false), .bool(true), .string("image"),
            .string("legenda"), .integer(1_796_040_000),
        ]))])
    }

    func test_handlerRegisteredWhileHandlingAnEventGetsTheNextEventOfItsName() throws {
        let scene = Scene()
        let bot = try runtime("""
        on("message", function(msg)
          on("status", function(ev) crm.kv.set("status", ev.status) end)
        end)
        """)
        let status = ScriptEvent.status(StatusEvent(messageID: "outbox-1", conversation: scene.conversation,
                                                    status: .sent, at: Scene.clock))
        XCTAssertEqual(bot.handle(status, context: scene.context), .none, "no status handler yet")
        XCTAssertNil(bot.handle(scene.message("oi"), context: scene.context).failure)
        XCTAssertEqual(bot.handle(status, context: scene.context).actions, [.kvSet(key: "status", value: .string("sent"))])
    }

    func test_replyNeedsOnlyTheConversationOfItsMessage() throws {
        let scene = Scene()
        let bot = try runtime("""
        on("message", function(msg)
          msg.helper = function() end
          msg:reply("oi")
          local ok = pcall(msg.reply, { conversation = "x" }, "no")
          crm.kv.set("refused", not ok)
        end)
        """)
        let outcome = bot.handle(scene.message("olá"), context: scene.context)
        XCTAssertNil(outcome.failure)
        XCTAssertEqual(outcome.actions, [.send(conversation: scene.conversation, content: OutgoingContent(text: "oi")),
                                         .kvSet(key: "refused", value: .bool(true))])
    }

    func test_anotherInstancesConversationRaisesAnErrorWithTheScriptLine() throws {
        let scene = Scene()
        let bot = try runtime("""
        on("message", function(msg)
          msg:reply("primeiro")
          crm.send(4242, "do outro número")
        end)
        """)
        let outcome = bot.handle(scene.message("oi"), context: scene.context)
        XCTAssertEqual(outcome.actions, [], "all or nothing: the reply before the error is not kept")
        XCTAssertEqual(outcome.failure?.file, "vendas/main.lua")
        XCTAssertEqual(outcome.failure?.line, 3)
        XCTAssertEqual(outcome.failure?.message, "conversation 4242 does not belong to instance vendas")
    }

    func test_everyConversationFunctionRefusesForeignConversations() throws {
        let scene = Scene()
        for call in ["crm.tag(77, 'x')", "crm.untag(77, 'x')", "crm.tags(77)", "crm.assign(77, 'q')", "crm.conversation(77)"] {
            let bot = try runtime("on('message', function(msg) \(call) end)")
            let outcome = bot.handle(scene.message("oi"), context: scene.context)
            XCTAssertEqual(outcome.failure?.message, "conversation 77 does not belong to instance vendas", call)
        }
    }

    func test_tagsAndAssignmentAreRecordedAndReadBackWithinTheEvent() throws {
        let scene = Scene()
        let bot = try runtime("""
        on("message", function(msg)
          crm.tag(msg.conversation, "lead")
          crm.tag(msg.conversation, "vip")
          crm.untag(msg.conversation, "vip")
          crm.assign(msg.conversation, "sales")
          local view = crm.conversation(msg.conversation)
          crm.kv.set("view", { tags = crm.tags(msg.conversation), assignee = view.assignee, contact = view.contact_id,
                               inbound = view.last_inbound_at })
          crm.assign(msg.conversation, nil)
        end)
        """)
        let id = scene.conversation
        let outcome = bot.handle(scene.message("oi"), context: scene.context)
        XCTAssertEqual(outcome.actions, [
            .tag(conversation: id, tag: "lead"), .tag(conversation: id, tag: "vip"), .untag(conversation: id, tag: "vip"),
            .assign(conversation: id, queue: "sales"),
            .kvSet(key: "view", value: .object(["tags": .array([.string("lead")]), "assignee": .string("sales"),
                                                "contact": .string("5511911112222"), "inbound": .integer(1_796_040_000)])),
            .assign(conversation: id, queue: nil),
        ])
    }

    func test_kvReadsSeeStoredValuesAndThisEventsOwnWrites() throws {
        let scene = Scene()
        scene.context.store["visits"] = .integer(4)
        scene.context.store["old"] = .string("x")
        let bot = try runtime("""
        on("message", function(msg)
          local before = crm.kv.get("visits")
          local after = crm.kv.incr("visits")
          crm.kv.incr("visits", 10)
          crm.kv.set("profile", { name = msg.name, tags = { "a", "b" } })
          crm.kv.delete("old")
          crm.kv.set("echo", { before, after, crm.kv.get("visits"), crm.kv.get("profile").tags[2], crm.kv.get("old") == nil })
        end)
        """)
        let outcome = bot.handle(scene.message("oi"), context: scene.context)
        XCTAssertEqual(outcome.actions, [
            .kvSet(key: "visits", value: .integer(5)),
            .kvSet(key: "visits", value: .integer(15)),
            .kvSet(key: "profile", value: .object(["name": .string("João"), "tags": .array([.string("a"), .string("b")])])),
            .kvSet(key: "old", value: nil),
            .kvSet(key: "echo", value: .array([.integer(4), .integer(5), .integer(15), .string("b"), .bool(true)])),
        ])
    }

    func test_incrOfTextFailsTheEvent() throws {
        let scene = Scene()
        scene.context.store["name"] = .string("x")
        let bot = try runtime("on('message', function() crm.kv.incr('name') end)")
        XCTAssertEqual(bot.handle(scene.message("oi"), context: scene.context).failure?.message,
                       "crm.kv.incr: the value of 'name' is not an integer")
    }

    func test_afterRecordsADurableTimerAndNowFollowsTheContextClock() throws {
        let scene = Scene()
        let bot = try runtime("""
        on("message", function(msg)
          local due = crm.after(90, "lembrete", { conversation = msg.conversation })
          crm.kv.set("times", { crm.now(), due, os.time() })
        end)
        on("timer", function(t) crm.send(t.payload.conversation, t.name .. " " .. t.due_at) end)
        """)
        let outcome = bot.handle(scene.message("oi"), context: scene.context)
        let due = Scene.clock.addingTimeInterval(90)
        XCTAssertEqual(outcome.actions, [
            .timer(name: "lembrete", payload: .object(["conversation": .integer(scene.conversation)]), dueAt: due),
            .kvSet(key: "times", value: .array([.integer(1_796_040_000), .integer(1_796_040_090), .integer(1_796_040_000)])),
        ])
        let fired = bot.handle(.timer(TimerEvent(name: "lembrete", payload: .object(["conversation": .integer(scene.conversation)]),
                                                 dueAt: due)), context: scene.context)
        XCTAssertEqual(fired.actions, [.send(conversation: scene.conversation, content: OutgoingContent(text: "lembrete 1796040090"))])
    }

    func test_jsonEncodesAndDecodes() throws {
        let scene = Scene()
        let bot = try runtime("""
        on("message", function()
          local text = crm.json.encode({ b = 1, a = { true, "x" } })
          local back = crm.json.decode('{"n": 2.5, "list": [1, 2], "s": "é"}')
          crm.kv.set("json", { text, back.n, back.list[2], back.s, pcall(crm.json.decode, "{nope") })
        end)
        """)
        let outcome = bot.handle(scene.message("oi"), context: scene.context)
        XCTAssertEqual(outcome.actions, [.kvSet(key: "json", value: .array([
            .string("{\"a\":[true,\"x\"],\"b\":1}"), .number(2.5), .integer(2), .string("é"), .bool(false),
            .string("crm.json.decode: invalid JSON at byte 1: expected a member name"),
        ]))])
    }

    func test_logAndPrintReachTheSinkWithTheInstance() throws {
        let scene = Scene()
        let lines = LogLines()
        let bot = try runtime("""
        print("loading", 1)
        on("message", function(msg)
          crm.log.info("oi", msg.name)
          crm.log.warn({ a = 1 })
          crm.log.error("falhou")
        end)
        """, log: lines.append)
        _ = bot.handle(scene.message("oi"), context: scene.context)
        XCTAssertEqual(lines.all, [
            ScriptLogEntry(instance: "vendas", level: .info, message: "loading\t1"),
            ScriptLogEntry(instance: "vendas", level: .info, message: "oi João"),
            ScriptLogEntry(instance: "vendas", level: .warn, message: "{\"a\":1}"),
            ScriptLogEntry(instance: "vendas", level: .error, message: "falhou"),
        ])
    }

    func test_instanceDescribesTheRunningInstance() throws {
        let scene = Scene()
        let bot = try runtime("""
        on("connection", function(ev)
          crm.kv.set("me", { crm.instance.id, crm.instance.name, crm.instance.phone_number, ev.status })
        end)
        """)
        let outcome = bot.handle(.connection(ConnectionEvent(status: .connected, phoneNumber: "5511999998888")), context: scene.context)
        XCTAssertEqual(outcome.actions, [.kvSet(key: "me", value: .array([
            .string("instance-vendas"), .string("vendas"), .string("5511999998888"), .string("CONNECTED"),
        ]))])
    }

    func test_statusEventsReachTheirHandler() throws {
        let scene = Scene()
        let bot = try runtime("on('status', function(ev) crm.kv.set('last', ev.status .. ':' .. ev.id .. ':' .. ev.reason) end)")
        let outcome = bot.handle(.status(StatusEvent(messageID: "out-1", conversation: scene.conversation, status: .failed,
                                                     reason: "blocked", at: Scene.clock)), context: scene.context)
        XCTAssertEqual(outcome.actions, [.kvSet(key: "last", value: .string("failed:out-1:blocked"))])
    }

    func test_tooManySendsFailTheEventEvenWhenTheScriptCatchesTheError() throws {
        let scene = Scene()
        var caps = ScriptCaps()
        caps.sendsPerEvent = 3
        let bot = try runtime("""
        on("message", function(msg)
          for i = 1, 5 do pcall(msg.reply, msg, "spam " .. i) end
        end)
        """, caps: caps)
        let outcome = bot.handle(scene.message("oi"), context: scene.context)
        XCTAssertEqual(outcome.actions, [])
        XCTAssertEqual(outcome.failure?.kind, "action limit")
        XCTAssertEqual(outcome.failure?.message, "msg:reply: too many sends in one event (the limit is 3)")
    }

    func test_oversizedMessageFailsTheEventWithItsLine() throws {
        let scene = Scene()
        var caps = ScriptCaps()
        caps.textBytes = 10
        let bot = try runtime("on('message', function(msg)\n  msg:reply(string.rep('a', 11))\nend)", caps: caps)
        let outcome = bot.handle(scene.message("oi"), context: scene.context)
        XCTAssertEqual(outcome.failure?.kind, "action limit")
        XCTAssertEqual(outcome.failure?.line, 2)
    }

    func test_actingWhileLoadingIsRefusedWithFileAndLine() {
        XCTAssertThrowsError(try runtime("\ncrm.send(1, 'oi')")) { error in
            let failure = error as? ScriptFailure
            XCTAssertEqual(failure?.file, "vendas/main.lua")
            XCTAssertEqual(failure?.line, 2)
            XCTAssertEqual(failure?.message, "crm.send can only be called while handling an event, not while the script loads")
        }
    }

    func test_syntaxErrorNamesFileAndLine() {
        XCTAssertThrowsError(try runtime("on('message', function()\n  x = = 1\nend)")) { error in
            XCTAssertEqual((error as? ScriptFailure)?.kind, "syntax")
            XCTAssertEqual((error as? ScriptFailure)?.file, "vendas/main.lua")
            XCTAssertEqual((error as? ScriptFailure)?.line, 2)
        }
    }

    func test_unknownEventNameIsAnErrorAtTheCallersLine() {
        XCTAssertThrowsError(try runtime("\n\non('mesage', function() end)")) { error in
            XCTAssertEqual((error as? ScriptFailure)?.line, 3)
            XCTAssertEqual((error as? ScriptFailure)?.message, "on: unknown event 'mesage' (message, status, connection or timer)")
        }
    }

    func test_requireFindsOwnModulesSharedModulesAndTheStandardLibrary() throws {
        let scene = Scene()
        let bot = try runtime("""
        local pricing = require "pricing"
        local format = require "format"
        local text = require "crm.text"
        on("message", function(msg) msg:reply(pricing.total() .. " " .. format.upper(text.fold("Preço"))) end)
        """, files: [
            "vendas/pricing.lua": "return { total = function() return 42 end }",
            "_shared/format.lua": "return { upper = string.upper }",
        ])
        XCTAssertEqual(bot.handle(scene.message("oi"), context: scene.context).actions,
                       [.send(conversation: scene.conversation, content: OutgoingContent(text: "42 PRECO"))])
    }

    func test_missingModuleNamesTheRequiringLine() {
        XCTAssertThrowsError(try runtime("local x = 1\nlocal p = require 'precos'")) { error in
            XCTAssertEqual((error as? ScriptFailure)?.file, "vendas/main.lua")
            XCTAssertEqual((error as? ScriptFailure)?.line, 2)
            XCTAssertTrue((error as? ScriptFailure)?.message.contains("module 'precos' not found") == true)
        }
    }

    func test_errorInsideAModuleNamesTheModuleFile() {
        XCTAssertThrowsError(try runtime("require 'pricing'", files: ["vendas/pricing.lua": "local a = 1\nerror('tabela vazia')"])) { error in
            XCTAssertEqual((error as? ScriptFailure)?.file, "vendas/pricing.lua")
            XCTAssertEqual((error as? ScriptFailure)?.line, 2)
        }
    }

    func test_runawayHandlerFailsTheEventAndTheNextEventStillRuns() throws {
        let scene = Scene()
        var caps = ScriptCaps()
        caps.lua.instructionsPerCall = 100_000
        let bot = try runtime("""
        on("message", function(msg)
          msg:reply("antes")
          if msg.text == "loop" then while true do end end
        end)
        """, caps: caps)
        let stuck = bot.handle(scene.message("loop"), context: scene.context)
        XCTAssertEqual(stuck.failure?.kind, "instruction limit")
        XCTAssertEqual(stuck.actions, [])
        XCTAssertEqual(bot.handle(scene.message("oi"), context: scene.context).actions,
                       [.send(conversation: scene.conversation, content: OutgoingContent(text: "antes"))])
    }

    func test_apiWorksFromInsideACoroutine() throws {
        let scene = Scene()
        let bot = try runtime("""
        on("message", function(msg)
          local step = coroutine.wrap(function()
            crm.tag(msg.conversation, "dentro")
            coroutine.yield()
            msg:reply("depois")
          end)
          step()
          step()
        end)
        """)
        XCTAssertEqual(bot.handle(scene.message("oi"), context: scene.context).actions, [
            .tag(conversation: scene.conversation, tag: "dentro"),
            .send(conversation: scene.conversation, content: OutgoingContent(text: "depois")),
        ])
    }

    func test_groupMessageCarriesTheGroupAndTheMember() throws {
        let context = MemoryScriptContext(instance: Scene.vendas, now: Scene.clock)
        let group = GroupRef(id: "120363@g.us", name: "Clientes VIP")
        let id = context.conversation(contact: ContactIdentity(userID: group.id), key: group.id, name: nil, group: group)
        let bot = try runtime("on('message', function(msg) crm.kv.set('g', { msg.is_group, msg.group.id, msg.group.name, msg.from }) end)")
        let event = ScriptEvent.message(MessageEvent(whatsappID: "w", conversation: id, contact: ContactIdentity(userID: group.id),
                                                     name: "Ana", text: "oi", group: group, sender: "5511955556666", at: Scene.clock))
        XCTAssertEqual(bot.handle(event, context: context).actions, [.kvSet(key: "g", value: .array([
            .bool(true), .string("120363@g.us"), .string("Clientes VIP"), .string("5511955556666"),
        ]))])
    }

    func test_logLinesPerEventAreCapped() throws {
        let scene = Scene()
        let lines = LogLines()
        var caps = ScriptCaps()
        caps.logLinesPerEvent = 3
        let bot = try runtime("on('message', function() for i = 1, 1000 do crm.log.info(i) end end)", caps: caps, log: lines.append)
        XCTAssertNil(bot.handle(scene.message("oi"), context: scene.context).failure)
        XCTAssertEqual(lines.all.map(\.message), ["1", "2", "3", "further log lines of this event dropped (the limit is 3)"])
        _ = bot.handle(scene.message("oi"), context: scene.context)
        XCTAssertEqual(lines.all.count, 8, "the count starts again with each event")
    }
}
