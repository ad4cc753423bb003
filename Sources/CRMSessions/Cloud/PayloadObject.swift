import CRMCore

/// One JSON object of a webhook body, read field by field. A field that is
/// present with the wrong type makes the whole body malformed; an absent or
/// null one is nil. Meta adds fields over time: the ones not asked for are
/// never looked at.
struct PayloadObject {
    typealias Malformed = CloudWebhook.MalformedBody
    private let members: [String: JSONValue]

    init(_ value: JSONValue) throws(Malformed) {
        guard case .object(let members) = value else { throw Malformed() }
        self.members = members
    }

    func string(_ key: String) throws(Malformed) -> String? {
        switch members[key] {
        case nil, .null?: return nil
        case .string(let text)?: return text
        default: throw Malformed()
        }
    }

    func string(required key: String) throws(Malformed) -> String {
        guard let text = try string(key) else { throw Malformed() }
        return text
    }

    func integer(_ key: String) throws(Malformed) -> Int? {
        switch members[key] {
        case nil, .null?: return nil
        case .integer(let integer)?: return Int(exactly: integer)
        default: throw Malformed()
        }
    }

    func double(_ key: String) throws(Malformed) -> Double? {
        switch members[key] {
        case nil, .null?: return nil
        case .integer(let integer)?: return Double(integer)
        case .number(let number)?: return number
        default: throw Malformed()
        }
    }

    func object<T>(_ key: String, _ read: (PayloadObject) throws(Malformed) -> T) throws(Malformed) -> T? {
        switch members[key] {
        case nil, .null?: return nil
        case let value?: return try read(PayloadObject(value))
        }
    }

    func object<T>(required key: String, _ read: (PayloadObject) throws(Malformed) -> T) throws(Malformed) -> T {
        guard let object = try object(key, read) else { throw Malformed() }
        return object
    }

    func array<T>(_ key: String, _ read: (PayloadObject) throws(Malformed) -> T) throws(Malformed) -> [T]? {
        switch members[key] {
        case nil, .null?: return nil
        case .array(let elements)?:
            var values: [T] = []
            values.reserveCapacity(elements.count)
            for element in elements { values.append(try read(PayloadObject(element))) }
            return values
        default: throw Malformed()
        }
    }

    func array<T>(required key: String, _ read: (PayloadObject) throws(Malformed) -> T) throws(Malformed) -> [T] {
        guard let array = try array(key, read) else { throw Malformed() }
        return array
    }
}
