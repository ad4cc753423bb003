import CRMCore
import Foundation
import XCTest

final class JSONDocumentTests: XCTestCase {
    private func document(_ text: String) throws -> JSONDocument { try JSONDocument(Array(text.utf8)) }

    /// Every value of a random tree is found through `member` and `elements`
    /// alone, and reads back as the tree holds it.
    func test_randomTreesReadInPlaceAsTheyWereWritten() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            let tree = RandomJSON.value(using: &generator)
            let encoded = try JSONEncoder().encode(tree)
            let document = try JSONDocument(Array(encoded))
            assertReads(document, document.root, as: tree, String(decoding: encoded, as: UTF8.self))
        }
    }

    func test_aRepeatedNameFindsItsFirstValueAndNestedMembersStayInside() throws {
        let read = try document(#"{"o":{"k":1,"k":2,"p":{"k":9}},"k":3,"o":4,"a":[{"k":5},[6,{"k":7}],8]}"#)
        let inner = try XCTUnwrap(read.member("o", of: read.root))
        XCTAssertEqual(read.integer(try XCTUnwrap(read.member("k", of: inner))), 1)
        XCTAssertEqual(read.integer(try XCTUnwrap(read.member("k", of: read.root))), 3)
        XCTAssertNil(read.member("p", of: read.root), "a member of an inner object is not the outer one's")
        let elements = Array(read.elements(of: try XCTUnwrap(read.member("a", of: read.root))))
        XCTAssertEqual(elements.count, 3)
        XCTAssertEqual(read.integer(elements[2]), 8)
        XCTAssertEqual(read.value(elements[1]), .array([.integer(6), .object(["k": .integer(7)])]))
    }

    func test_namesAreComparedAsDecodedScalars() throws {
        let read = try document(#"{"\u0061\"b":"x","café":"y","cafe\u0301":"z","\#u{212A}":"kelvin"}"#)
        XCTAssertEqual(read.string(try XCTUnwrap(read.member("a\"b", of: read.root))), "x")
        XCTAssertEqual(read.string(try XCTUnwrap(read.member("café", of: read.root))), "y")
        XCTAssertEqual(read.string(try XCTUnwrap(read.member("cafe\u{301}", of: read.root))), "z")
        XCTAssertNil(read.member("K", of: read.root), "the Kelvin sign is another name than K")
    }

    func test_readsOfTheWrongKindAreNil() throws {
        let read = try document(#"{"s":"1","i":1,"d":1.5,"big":9223372036854775808,"n":null,"a":[],"o":{}}"#)
        func member(_ name: String) throws -> JSONDocument.Node { try XCTUnwrap(read.member(name, of: read.root)) }
        XCTAssertNil(read.integer(try member("s")))
        XCTAssertNil(read.string(try member("i")))
        XCTAssertNil(read.integer(try member("d")))
        XCTAssertEqual(read.double(try member("d")), 1.5)
        XCTAssertNil(read.integer(try member("big")), "past 64 bits a number is a double")
        XCTAssertEqual(read.double(try member("big")), 9_223_372_036_854_775_808)
        XCTAssertEqual(read.double(try member("i")), 1)
        XCTAssertTrue(read.isNull(try member("n")))
        XCTAssertNil(read.member("x", of: try member("a")), "an array has no members")
        XCTAssertEqual(Array(read.elements(of: try member("o"))), [], "an object has no elements")
        XCTAssertTrue(read.isArray(try member("a")))
        XCTAssertTrue(read.isObject(try member("o")))
    }

    /// The document checks the whole text before anything can be read: a
    /// flaw after the fields a reader wants still refuses it.
    func test_aFlawAnywhereRefusesTheWholeText() {
        for text in [#"{"id":"1","x":[1,]}"#, #"{"id":"1","x":"\ud800"}"#, #"{"id":"1"} x"#, #"{"id":"1","x":01}"#,
                     #"{"id":"1","x":1e999}"#] {
            XCTAssertThrowsError(try document(text), text) { error in
                XCTAssertNotNil(error as? JSONReader.Failure, text)
            }
        }
        XCTAssertThrowsError(try JSONDocument([0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xC3, 0x28, 0x22, 0x7D]), "invalid UTF-8 in a value")
    }

    private func assertReads(_ document: JSONDocument, _ node: JSONDocument.Node, as expected: JSONValue, _ text: String,
                             line: UInt = #line) {
        switch expected {
        case .null: XCTAssertTrue(document.isNull(node), text, line: line)
        case .bool: XCTAssertEqual(document.value(node), expected, text, line: line)
        case .integer(let integer): XCTAssertEqual(document.integer(node), integer, text, line: line)
        case .number(let number): XCTAssertEqual(document.double(node), number, text, line: line)
        case .string(let string): XCTAssertEqual(document.string(node), string, text, line: line)
        case .array(let elements):
            let nodes = Array(document.elements(of: node))
            XCTAssertEqual(nodes.count, elements.count, text, line: line)
            for (element, value) in zip(nodes, elements) { assertReads(document, element, as: value, text, line: line) }
        case .object(let members):
            XCTAssertTrue(document.isObject(node), text, line: line)
            for (name, value) in members {
                guard let member = document.member(name, of: node) else {
                    XCTFail("\(name) not found in \(text)", line: line)
                    continue
                }
                assertReads(document, member, as: value, text, line: line)
            }
        }
    }
}
