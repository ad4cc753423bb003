import CRMCore
import Foundation

/// `JSONReader`, `JSONDocument` and `JSONWriter`: the readers of every
/// webhook and API body, and the writer of every answer.
///
/// Invariants: reading never traps and fails with a `JSONReader.Failure`
/// whose offset lies in the text; a text that reads as a tree reads the same
/// tree after it is written again, by Foundation's encoder (what
/// `crm.json.encode` uses), in any other spelling, and through `JSONWriter`
/// for its strings and integers; `JSONDocument` finds the members and
/// elements the tree holds.
final class JSONTarget: FuzzTarget {
    let name = "json"
    let hangLimit: Duration = .seconds(10)

    var seeds: [[UInt8]] { JSONTarget.seedTexts.map { Array($0.utf8) } }

    static let seedTexts = [
        #"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"metadata":{"phone_number_id":"PN"},"messages":[{"from":"5511","id":"wamid.1","timestamp":"1764410000","type":"text","text":{"body":"oi"}}]}}]}]}"#,
        #"{"name":"vendas","connector":"cloud","config":{"phone_number_id":"1","access_token":"t","app_secret":"s"}}"#,
        #"{"text":"olá \u00e9 \ud83d\ude00","media":{"type":"image","url":"https://x/y.png"},"reply_to":null}"#,
        #"[1,-0,0.5,1e10,-2.5E-3,9223372036854775807,-9223372036854775808,true,false,null,"",[],{}]"#,
        #"{"a":{"b":{"c":[[[]]]}},"a":2,"\u0000":"\/"}"#,
        #"  "texto com espaços"  "#,
        "123",
    ]

    func mutate(_ input: [UInt8], using random: inout FuzzRandom) -> [UInt8] {
        guard let tree = try? JSONReader.parse(input), !random.oneIn(4) else {
            return ByteMutations.mutate(input, using: &random)
        }
        var spelling = JSONSpelling(using: FuzzRandom(seed: random.next()))
        spelling.write(random.oneIn(5) ? tree : JSONTree.mutate(tree, using: &random))
        return random.oneIn(5) ? ByteMutations.mutate(spelling.text, using: &random) : spelling.text
    }

    func run(_ input: [UInt8]) throws(FuzzFailure) -> Bool {
        let tree: JSONValue
        do {
            tree = try JSONReader.parse(input)
        } catch {
            guard (0...input.count).contains(error.offset), !error.reason.isEmpty else {
                throw FuzzFailure("a failure outside the text: \(error) for \(input.count) bytes")
            }
            return false
        }
        try foundationRoundTrip(tree)
        try spellingRoundTrip(tree, seed: UInt64(input.count))
        try writerRoundTrip(tree)
        try documentAgrees(input, tree)
        return true
    }

    /// Foundation's encoder, with `crm.json.encode`'s options.
    private func foundationRoundTrip(_ tree: JSONValue) throws(FuzzFailure) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let text = try? encoder.encode(tree) else { return }
        let again: JSONValue
        do { again = try JSONReader.parse(Array(text)) } catch {
            throw FuzzFailure("Foundation's text of a value read does not read back: \(error)\n\(String(decoding: text, as: UTF8.self).prefix(500))")
        }
        guard JSONTree.same(tree, again) else { throw FuzzFailure("Foundation's text reads back as another value") }
    }

    private func spellingRoundTrip(_ tree: JSONValue, seed: UInt64) throws(FuzzFailure) {
        var spelling = JSONSpelling(using: FuzzRandom(seed: seed))
        spelling.write(tree)
        let again: JSONValue
        do { again = try JSONReader.parse(spelling.text) } catch {
            throw FuzzFailure("another spelling of a value read does not read: \(error)\n\(String(decoding: spelling.text, as: UTF8.self).prefix(500))")
        }
        guard JSONTree.same(tree, again) else {
            throw FuzzFailure("another spelling reads as another value:\n\(String(decoding: spelling.text, as: UTF8.self).prefix(500))")
        }
    }

    /// Every string and integer of the tree through `JSONWriter`, the writer of the API's answers.
    private func writerRoundTrip(_ tree: JSONValue) throws(FuzzFailure) {
        var leaves: [JSONValue] = []
        collectLeaves(tree, into: &leaves)
        var writer = JSONWriter(capacity: 64)
        writer.array(leaves) { writer, leaf in
            switch leaf {
            case .string(let text): writer.string(text)
            case .integer(let integer): writer.integer(integer)
            case .bool(let flag): writer.bool(flag)
            default: writer.null()
            }
        }
        let again: JSONValue
        do { again = try JSONReader.parse(writer.bytes) } catch {
            throw FuzzFailure("JSONWriter wrote text that does not read: \(error)")
        }
        let expected = JSONValue.array(leaves.map { leaf in
            switch leaf {
            case .string, .integer, .bool: leaf
            default: .null
            }
        })
        guard JSONTree.same(expected, again) else { throw FuzzFailure("JSONWriter's text reads back as another value") }
    }

    private func collectLeaves(_ value: JSONValue, into leaves: inout [JSONValue]) {
        guard leaves.count < 10_000 else { return }
        switch value {
        case .array(let elements): for element in elements { collectLeaves(element, into: &leaves) }
        case .object(let members):
            for (key, member) in members {
                leaves.append(.string(key))
                collectLeaves(member, into: &leaves)
            }
        default: leaves.append(value)
        }
    }

    /// The document read in place answers as the tree does. Names are looked
    /// up only when ASCII: the tree's dictionary compares names as Swift
    /// strings (canonically equal names are one key), the document as JSON
    /// spells them.
    private func documentAgrees(_ input: [UInt8], _ tree: JSONValue) throws(FuzzFailure) {
        let document: JSONDocument
        do { document = try JSONDocument(input) } catch {
            throw FuzzFailure("JSONDocument refuses what JSONReader read: \(error)")
        }
        guard JSONTree.same(document.value(document.root), tree) else { throw FuzzFailure("JSONDocument's value differs") }
        switch tree {
        case .object(let members):
            guard document.isObject(document.root) else { throw FuzzFailure("JSONDocument: the root is not an object") }
            for (key, member) in members where key.utf8.allSatisfy({ $0 < 0x80 }) {
                guard let node = document.member(key, of: document.root) else {
                    throw FuzzFailure("JSONDocument does not find the member \(key.debugDescription)")
                }
                guard JSONTree.same(document.value(node), member) else {
                    throw FuzzFailure("JSONDocument's member \(key.debugDescription) differs")
                }
            }
        case .array(let elements):
            guard Array(document.elements(of: document.root)).count == elements.count else {
                throw FuzzFailure("JSONDocument counts other elements")
            }
        case .string(let text):
            guard document.string(document.root).map({ $0.unicodeScalars.elementsEqual(text.unicodeScalars) }) == true else {
                throw FuzzFailure("JSONDocument reads another string")
            }
        case .integer(let integer):
            guard document.integer(document.root) == integer else { throw FuzzFailure("JSONDocument reads another integer") }
        default:
            break
        }
    }
}
