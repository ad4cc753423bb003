import CRMCore
import CRMScripting
import Foundation
import XCTest

/// A message's time can come from outside (a webhook, a row stored before input
/// was checked): handing it to a bot must never trap, whatever it is.
final class EventTimeRangeTests: XCTestCase {
    func test_aMessageTimeOutsideTheKeptYearsReachesTheBotAsTheNearestKeptSecond() throws {
        let scene = Scene()
        let bot = try runtime("""
        on("message", function(msg) crm.kv.set(msg.id, msg.at) end)
        """)
        let view = scene.context.conversation(scene.conversation)!
        let times: [(String, Double, Int64)] = [
            ("far-future", 1e19, Date.latestKept.wholeSecondsSince1970),
            ("far-past", -1e19, Date.earliestKept.wholeSecondsSince1970),
            ("infinite", .infinity, Date.latestKept.wholeSecondsSince1970),
            ("not-a-number", .nan, 0),
        ]
        for (id, seconds, expected) in times {
            let event = ScriptEvent.message(MessageEvent(
                whatsappID: id, conversation: scene.conversation, contact: view.contact, name: "João", text: "oi",
                at: Date(timeIntervalSince1970: seconds)))
            let outcome = bot.handle(event, context: scene.context)
            XCTAssertNil(outcome.failure, id)
            XCTAssertEqual(outcome.actions, [.kvSet(key: id, value: .integer(expected))], id)
        }
    }
}
