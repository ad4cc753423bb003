import Lua
import XCTest

/// An ordinary bot in its own state: a message handler that uses the string,
/// table and math libraries, a global counter and a host function. Hostile
/// tests check it still answers correctly beside a state that misbehaved.
final class NormalBot {
    let state: LuaState
    private var handler: LuaReference?
    private(set) var sent: [String] = []

    init() throws {
        state = try LuaState()
        state.register("send", in: "crm") { [unowned self] _, arguments throws(LuaError) in
            sent.append(try arguments.string(1, function: "crm.send"))
            return [.boolean(true)]
        }
        let entry = try state.load("""
        handled = 0
        function on_message(msg)
          handled = handled + 1
          local words = {}
          for word in msg.text:gmatch("%a+") do words[#words + 1] = word:upper() end
          table.sort(words)
          crm.send(string.format("%s #%d: %s", msg.name, handled, table.concat(words, ",")))
          return tostring(math.max(#words, 0)), pairs ~= nil, string.rep("ab", 2)
        end
        """, chunk: "normal/main.lua")
        _ = try state.call(entry)
        handler = try XCTUnwrap(state.globalFunction("on_message"))
    }

    func assertHandlesAMessage(file: StaticString = #filePath, line: UInt = #line) throws {
        let message = LuaValue.table(LuaTable(["name": "Ana", "text": "quero o preco do plano"]))
        let results = try state.call(try XCTUnwrap(handler), [message])
        XCTAssertEqual(results, [.text("5"), .boolean(true), .text("abab")], file: file, line: line)
        XCTAssertEqual(sent.last, "Ana #\(sent.count): DO,O,PLANO,PRECO,QUERO", file: file, line: line)
    }
}
