import CRMCore
import Foundation

/// `crm.json`: JSON text from and to values, with sorted keys so that equal
/// values give equal text.
enum JSONText {
    static func encode(_ value: JSONValue) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func decode(_ text: String) throws(JSONReader.Failure) -> JSONValue {
        try JSONReader.parse(text.utf8)
    }

    /// Bytes of a value as JSON, to hold it to a cap.
    static func size(_ value: JSONValue) -> Int {
        (try? encode(value).utf8.count) ?? Int.max
    }
}
