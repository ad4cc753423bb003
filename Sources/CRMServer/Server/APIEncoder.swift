import Foundation

extension JSONEncoder {
    /// How the API and its event stream write JSON that has no hand-written
    /// form: dates in ISO-8601, slashes left as they are (URLs stay readable);
    /// keys sorted where equal objects must give equal text.
    static func api(sortedKeys: Bool = false) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = sortedKeys ? [.withoutEscapingSlashes, .sortedKeys] : [.withoutEscapingSlashes]
        return encoder
    }
}
