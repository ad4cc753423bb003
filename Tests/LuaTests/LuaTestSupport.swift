import Lua
import XCTest

/// Small limits so that loops and bombs end in milliseconds.
func testLimits() -> LuaLimits {
    var limits = LuaLimits()
    limits.instructionsPerCall = 1_000_000
    limits.memory = 4 << 20
    return limits
}

extension LuaState {
    /// Loads `code` as chunk `chunk` and runs it once, returning its results.
    func run(_ code: String, chunk: String = "test.lua", _ arguments: [LuaValue] = []) throws(LuaError) -> [LuaValue] {
        let function = try load(code, chunk: chunk)
        defer { release(function) }
        return try call(function, arguments)
    }

    /// The first result of running `code`.
    func evaluate(_ code: String) throws(LuaError) -> LuaValue {
        try run(code).first ?? .nil
    }
}

/// Runs `body`, expecting it to throw a `LuaError`; fails the test otherwise.
func expectLuaError(_ body: () throws -> Void,
                    file: StaticString = #filePath, line: UInt = #line) -> LuaError? {
    do {
        try body()
        XCTFail("expected a Lua error, got success", file: file, line: line)
    } catch let error as LuaError {
        return error
    } catch {
        XCTFail("expected a Lua error, got \(error)", file: file, line: line)
    }
    return nil
}
