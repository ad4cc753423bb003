import Foundation

/// A JSON text checked whole and read in place: a value is decoded only
/// when asked for, and an object's member is found by comparing its name's
/// bytes.
///
/// A webhook's reader wants a dozen of the body's fields. Building the whole
/// `JSONValue` tree first (a dictionary per object, hashing every name, a
/// string per name and value) was a tenth of an event loop's time under
/// load, more than the rest of the webhook's parse. The text is checked as
/// strictly as `JSONReader` checks it, by the same scanner, before anything
/// can be read.
public final class JSONDocument: Sendable {
    /// A value of the document; the whole text is `root`.
    public typealias Node = Int

    private let bytes: [UInt8]
    private let nodes: [JSONNode]

    /// - Throws: `JSONReader.Failure` when `bytes` is not one JSON value.
    public init(_ bytes: [UInt8]) throws(JSONReader.Failure) {
        self.bytes = bytes
        nodes = try bytes.withUnsafeBufferPointer { buffer throws(JSONReader.Failure) in try JSONScanner.scan(buffer) }
    }

    /// The whole text's value, where every read starts.
    public var root: Node { 0 }

    /// What a node is, for readers that treat null as absent and refuse a
    /// container of the wrong kind.
    public func isNull(_ node: Node) -> Bool { nodes[node].kind == .null }
    public func isObject(_ node: Node) -> Bool { nodes[node].kind == .object }
    public func isArray(_ node: Node) -> Bool { nodes[node].kind == .array }

    /// The string's value; nil when the node is not a string.
    public func string(_ node: Node) -> String? {
        let found = nodes[node]
        return bytes.withUnsafeBufferPointer { buffer in
            switch found.kind {
            case .asciiString, .string:
                return String(decoding: UnsafeBufferPointer(rebasing: buffer[found.start..<found.end]), as: UTF8.self)
            case .escapedString:
                // Checked by the scanner: this cannot fail.
                let utf8 = (try? JSONEscapes.decode(buffer, from: found.start).utf8) ?? []
                return String(decoding: utf8, as: UTF8.self)
            default:
                return nil
            }
        }
    }

    /// The value of an integer literal that fits 64 bits; nil for any other node.
    public func integer(_ node: Node) -> Int64? {
        let found = nodes[node]
        guard found.kind == .integer else { return nil }
        return bytes.withUnsafeBufferPointer { JSONNode.integer(UnsafeBufferPointer(rebasing: $0[found.start..<found.end])) }
    }

    /// Any number's value as a double; nil when the node is not a number.
    public func double(_ node: Node) -> Double? {
        let found = nodes[node]
        guard found.kind == .integer || found.kind == .number else { return nil }
        return bytes.withUnsafeBufferPointer { JSONNode.double(UnsafeBufferPointer(rebasing: $0[found.start..<found.end])) }
    }

    /// The value of the object's first member called `name`; nil when there
    /// is none or the node is not an object. Names are compared scalar by
    /// scalar, as JSON spells them.
    public func member(_ name: String, of object: Node) -> Node? {
        guard nodes[object].kind == .object else { return nil }
        var key = object + 1
        while key < nodes[object].next {
            let value = key + 1
            if named(key, name) { return value }
            key = nodes[value].next
        }
        return nil
    }

    /// The array's elements in order; empty when the node is not an array.
    public func elements(of array: Node) -> Elements {
        let found = nodes[array]
        return Elements(document: self, upcoming: array + 1, end: found.kind == .array ? found.next : array + 1)
    }

    /// The nodes of an array's elements, stepping over each one's contents.
    public struct Elements: Sequence, IteratorProtocol {
        let document: JSONDocument
        var upcoming: Node
        let end: Node

        public mutating func next() -> Node? {
            guard upcoming < end else { return nil }
            defer { upcoming = document.nodes[upcoming].next }
            return upcoming
        }
    }

    /// The node as a `JSONValue` tree; in an object a repeated name keeps its first value.
    public func value(_ node: Node) -> JSONValue {
        let found = nodes[node]
        switch found.kind {
        case .null: return .null
        case .true: return .bool(true)
        case .false: return .bool(false)
        case .integer: return .integer(integer(node)!)
        case .number: return .number(double(node)!)
        case .asciiString, .string, .escapedString: return .string(string(node)!)
        case .array: return .array(elements(of: node).map { value($0) })
        case .object:
            var members: [(String, Node)] = []
            var key = node + 1
            while key < found.next {
                members.append((string(key)!, key + 1))
                key = nodes[key + 1].next
            }
            var object = [String: JSONValue](minimumCapacity: members.count)
            // Last written wins, so written from the end: a repeated name keeps its first value.
            for (name, member) in members.reversed() { object[name] = value(member) }
            return .object(object)
        }
    }

    private func named(_ key: Node, _ name: String) -> Bool {
        let found = nodes[key]
        guard found.kind != .escapedString else {
            return string(key)!.unicodeScalars.elementsEqual(name.unicodeScalars)
        }
        let length = found.end - found.start
        guard name.utf8.count == length else { return false }
        guard length > 0 else { return true }
        return bytes.withUnsafeBufferPointer { buffer in
            name.utf8.withContiguousStorageIfAvailable { wanted in
                memcmp(buffer.baseAddress! + found.start, wanted.baseAddress!, length) == 0
            } ?? name.utf8.elementsEqual(buffer[found.start..<found.end])
        }
    }
}
