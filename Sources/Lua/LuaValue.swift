/// A Lua value copied out of (or into) a state: plain data, no references into
/// the state, so it can cross threads and outlive the state it came from.
public enum LuaValue: Hashable, Sendable {
    case `nil`
    case boolean(Bool)
    case integer(Int64)
    case number(Double)
    /// Lua strings are byte strings; they need not be valid UTF-8.
    case string([UInt8])
    case table(LuaTable)

    /// A string value from Swift text.
    public static func text(_ string: String) -> LuaValue { .string(Array(string.utf8)) }

    /// The string as text, when it is a string and valid UTF-8.
    public var stringValue: String? {
        guard case .string(let bytes) = self else { return nil }
        return String(validating: bytes, as: UTF8.self)
    }

    public var integerValue: Int64? {
        switch self {
        case .integer(let value): return value
        case .number(let value): return Int64(exactly: value)
        default: return nil
        }
    }

    public var numberValue: Double? {
        switch self {
        case .integer(let value): return Double(value)
        case .number(let value): return value
        default: return nil
        }
    }

    public var boolValue: Bool? {
        if case .boolean(let value) = self { return value }
        return nil
    }

    public var tableValue: LuaTable? {
        if case .table(let table) = self { return table }
        return nil
    }

    public var isNil: Bool { self == .nil }

    /// Lua's truthiness: everything but nil and false.
    public var isTruthy: Bool {
        switch self {
        case .nil, .boolean(false): return false
        default: return true
        }
    }

    /// Lua's name for the type, as `type()` would say it.
    public var typeName: String {
        switch self {
        case .nil: return "nil"
        case .boolean: return "boolean"
        case .integer, .number: return "number"
        case .string: return "string"
        case .table: return "table"
        }
    }
}

/// A table copied out of Lua: its sequence `1...n` and its other fields.
public struct LuaTable: Hashable, Sendable {
    public var sequence: [LuaValue]
    public var fields: [LuaValue: LuaValue]

    public init(sequence: [LuaValue] = [], fields: [LuaValue: LuaValue] = [:]) {
        self.sequence = sequence
        self.fields = fields
    }

    /// A table with string keys, the usual shape of an event or an option set.
    public init(_ fields: [String: LuaValue]) {
        self.sequence = []
        self.fields = Dictionary(uniqueKeysWithValues: fields.map { (LuaValue.text($0.key), $0.value) })
    }

    public subscript(key: String) -> LuaValue {
        get { fields[.text(key)] ?? .nil }
        set { fields[.text(key)] = newValue.isNil ? nil : newValue }
    }

    public var isEmpty: Bool { sequence.isEmpty && fields.isEmpty }
}

extension LuaValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByFloatLiteral, ExpressibleByNilLiteral {
    public init(stringLiteral value: String) { self = .text(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(booleanLiteral value: Bool) { self = .boolean(value) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(nilLiteral: ()) { self = .nil }
}
