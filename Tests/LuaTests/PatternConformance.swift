import Foundation
import Lua

/// Runs pattern expressions through a Lua interpreter and shows each result
/// as one line of text, so the sandbox's matcher and Lua 5.4's own can be
/// compared line by line. The script is plain Lua 5.4 and runs unchanged in
/// both; each case is compiled on its own as chunk "case", so error positions
/// read "case:1:" wherever the case sits in the list.
enum PatternConformance {
    static func script(_ expressions: [String]) -> String {
        let list = expressions.map { "  [==[\($0)]==],\n" }.joined()
        return "local cases = {\n\(list)}\n" + driver
    }

    /// The lines the sandbox gives for `expressions`.
    static func sandboxLines(_ expressions: [String], limits: LuaLimits = LuaLimits()) throws -> [String] {
        let state = try LuaState(limits: limits)
        let results = try state.call(try state.load(script(expressions), chunk: "patterns"))
        return lines(of: results.first?.stringValue ?? "")
    }

    /// Lua 5.4's own interpreter, when one is on the PATH.
    static var referenceInterpreter: URL? {
        let folders = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
        return folders.lazy
            .map { URL(fileURLWithPath: String($0)).appendingPathComponent("lua5.4") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    /// The lines Lua 5.4's own interpreter gives for `expressions`.
    static func referenceLines(_ expressions: [String], interpreter: URL) throws -> [String] {
        let process = Process()
        process.executableURL = interpreter
        process.arguments = ["-e", #"io.write(assert(load(io.read("a"), "=patterns"))())"#]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        // The interpreter reads all of its input before it writes anything.
        try input.fileHandleForWriting.write(contentsOf: Data(script(expressions).utf8))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return lines(of: String(decoding: data, as: UTF8.self))
    }

    private static func lines(of text: String) -> [String] {
        text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    /// Strings are quoted byte by byte, with decimal escapes for anything but
    /// printable ASCII, so no result spans two lines. The driver itself calls
    /// no pattern function.
    private static let driver = #"""
    local function quote(s)
      local out = {}
      for i = 1, #s do
        local b = s:byte(i)
        out[i] = (b >= 32 and b < 127 and b ~= 34 and b ~= 92) and string.char(b) or "\\" .. b
      end
      return '"' .. table.concat(out) .. '"'
    end

    local function show(values, count)
      local out = {}
      for i = 1, count do
        local v = values[i]
        if type(v) == "string" then out[i] = quote(v)
        elseif type(v) == "number" then out[i] = math.type(v) .. " " .. tostring(v)
        else out[i] = tostring(v) end
      end
      return table.concat(out, ", ")
    end

    -- Everything a gmatch iterator yields, each match's values in braces.
    local function all(iterator)
      local out = {}
      while #out < 50 do
        local values = table.pack(iterator())
        if values[1] == nil then break end
        out[#out + 1] = "{" .. show(values, values.n) .. "}"
      end
      return table.concat(out, " ")
    end

    local env = setmetatable({ all = all }, { __index = _G })
    local lines = {}
    for i, expression in ipairs(cases) do
      local case = assert(load("return " .. expression, "=case", "t", env))
      local results = table.pack(pcall(case))
      if results[1] then
        lines[i] = show({ table.unpack(results, 2, results.n) }, results.n - 1)
      else
        lines[i] = "error " .. tostring(results[2])
      end
    end
    return table.concat(lines, "\n")
    """#
}
