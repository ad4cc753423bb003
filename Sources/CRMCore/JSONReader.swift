/// Parses JSON text (RFC 8259) into a `JSONValue`.
///
/// Webhook bodies arrive by the thousand per second and `JSONDecoder` spent
/// more CPU on each than storing its message did: it builds a map of the
/// document and then walks it through generic containers. This reader checks
/// the text once (`JSONScanner`) and builds the tree from what it found. It
/// is strict where a decoder must be with untrusted input: invalid UTF-8,
/// unpaired surrogates, control characters in strings, leading zeros,
/// trailing commas or content, and nesting deeper than `maxDepth` are errors,
/// never crashes. A name repeated in one object keeps its first value, as
/// Foundation's readers do. `JSONDocument` reads the same text in place.
public enum JSONReader {
    /// Why a text is not JSON, with the byte offset where reading stopped.
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public var reason: String
        public var offset: Int
        public var description: String { "invalid JSON at byte \(offset): \(reason)" }
    }

    /// Arrays and objects nested deeper than this are refused.
    public static let maxDepth = 512

    /// The value `bytes` hold, which must be the whole text.
    public static func parse(_ bytes: some Collection<UInt8>) throws(Failure) -> JSONValue {
        let document = try JSONDocument(bytes as? [UInt8] ?? Array(bytes))
        return document.value(document.root)
    }
}
