import CRMCore

/// One JSON object of a webhook body, read field by field. A field that is
/// present with the wrong type makes the whole body malformed; an absent or
/// null one is nil. Meta adds fields over time: the ones not asked for are
/// never decoded.
struct PayloadObject {
    typealias Malformed = CloudWebhook.MalformedBody
    private let document: JSONDocument
    private let node: JSONDocument.Node

    init(_ document: JSONDocument, _ node: JSONDocument.Node) throws(Malformed) {
        guard document.isObject(node) else { throw Malformed() }
        self.document = document
        self.node = node
    }

    /// The member's node; nil when it is absent or null.
    private func member(_ key: String) -> JSONDocument.Node? {
        guard let member = document.member(key, of: node), !document.isNull(member) else { return nil }
        return member
    }

    func string(_ key: String) throws(Malformed) -> String? {
        guard let member = member(key) else { return nil }
        guard let text = document.string(member) else { throw Malformed() }
        return text
    }

    func string(required key: String) throws(Malformed) -> String {
        guard let text = try string(key) else { throw Malformed() }
        return text
    }

    /// An integer member: a number with a fraction or an exponent is malformed here.
    func integer(_ key: String) throws(Malformed) -> Int? {
        guard let member = member(key) else { return nil }
        guard let integer = document.integer(member) else { throw Malformed() }
        return Int(exactly: integer)
    }

    func double(_ key: String) throws(Malformed) -> Double? {
        guard let member = member(key) else { return nil }
        guard let number = document.double(member) else { throw Malformed() }
        return number
    }

    func object<T>(_ key: String, _ read: (PayloadObject) throws(Malformed) -> T) throws(Malformed) -> T? {
        guard let member = member(key) else { return nil }
        return try read(PayloadObject(document, member))
    }

    func object<T>(required key: String, _ read: (PayloadObject) throws(Malformed) -> T) throws(Malformed) -> T {
        guard let object = try object(key, read) else { throw Malformed() }
        return object
    }

    func array<T>(_ key: String, _ read: (PayloadObject) throws(Malformed) -> T) throws(Malformed) -> [T]? {
        guard let member = member(key) else { return nil }
        guard document.isArray(member) else { throw Malformed() }
        var values: [T] = []
        for element in document.elements(of: member) { values.append(try read(PayloadObject(document, element))) }
        return values
    }

    func array<T>(required key: String, _ read: (PayloadObject) throws(Malformed) -> T) throws(Malformed) -> [T] {
        guard let array = try array(key, read) else { throw Malformed() }
        return array
    }
}
