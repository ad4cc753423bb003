import CRMCore
import Foundation
import XCTest

final class JSONReaderTests: XCTestCase {
    private func parse(_ text: String) throws -> JSONValue { try JSONReader.parse(Array(text.utf8)) }

    func test_documentsReadAsFoundationReadsThem() throws {
        let documents = [
            #"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"metadata":{"phone_number_id":"PN"},"messages":[{"id":"wamid.1","from":"5511","text":{"body":"olá 😀"},"timestamp":"1700000000"}]}}]}]}"#,
            #"  [ 1 , -2 , 3.25 , -0.5e-3 , 1E+2 , true , false , null , "" , [] , {} ]  "#,
            #"{"escapes":"\" \\ \/ \b \f \n \r \t \u00e9 \u20AC \ud83d\ude00 end","raw":"ação ✓ 😀"}"#,
            #"{"a":{"b":{"c":[[[{"d":[]}]]]}},"e":"\u0000"}"#,
            #""just a string""#,
            "12345",
            #"{"same":1,"same":2}"#,
        ]
        for document in documents {
            let expected = try JSONDecoder().decode(JSONValue.self, from: Data(document.utf8))
            XCTAssertEqual(try parse(document).numbersAsDoubles, expected.numbersAsDoubles, document)
        }
    }

    /// Members are gathered on one stack for every open object: an inner
    /// object's must not leak into its parent's, and a repeated name keeps
    /// its first value at every level.
    func test_nestedObjectsKeepTheirOwnMembersAndFirstValues() throws {
        XCTAssertEqual(try parse(#"{"o":{"k":1,"k":2,"p":{}},"k":3,"o":4,"a":[{"k":5},{"k":6,"k":7}]}"#),
                       .object(["o": .object(["k": .integer(1), "p": .object([:])]), "k": .integer(3),
                                "a": .array([.object(["k": .integer(5)]), .object(["k": .integer(6)])])]))
    }

    func test_integersStayIntegersAndTheRestAreDoubles() throws {
        XCTAssertEqual(try parse("[0, -0, 42, 9223372036854775807, -9223372036854775808]"),
                       .array([.integer(0), .integer(0), .integer(42), .integer(.max), .integer(.min)]))
        XCTAssertEqual(try parse("[9223372036854775808, 1.0, 2e3, 0.1]"),
                       .array([.number(9_223_372_036_854_775_808), .number(1), .number(2000), .number(0.1)]))
    }

    func test_randomTreesSurviveTheEncoderAndBack() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            let tree = RandomJSON.value(using: &generator)
            let encoded = try JSONEncoder().encode(tree)
            XCTAssertEqual(try JSONReader.parse(encoded), tree, String(decoding: encoded, as: UTF8.self))
        }
    }

    func test_malformedTextsAreRefusedWithAnOffset() {
        let malformed = [
            "", "   ", "{", "[", "[1,]", #"{"a":1,}"#, "[1 2]", #"{"a" 1}"#, "{a:1}", "'a'", "01", "-01", "1.", ".5",
            "+1", "-", "1e", "1e+", "tru", "nul", "falsy", #""abc"#, "\"a\u{01}b\"", "[1] 2", "NaN", "Infinity", "1e999",
            #""\x""#, #""\u12G4""#, #""\u12""#, #""\ud800""#, #""\udc00x""#, #""\ud800\u0041""#, "\u{FEFF}{}",
        ]
        for text in malformed {
            XCTAssertThrowsError(try parse(text), text) { error in
                XCTAssertNotNil(error as? JSONReader.Failure, text)
            }
        }
        XCTAssertThrowsError(try JSONReader.parse([0x22, 0xFF, 0x22]))
        XCTAssertThrowsError(try JSONReader.parse([0x22, 0x5C, 0x6E, 0xC3, 0x22]))
        XCTAssertThrowsError(try parse("[1,}")) { error in
            XCTAssertEqual((error as? JSONReader.Failure)?.offset, 3)
        }
    }

    func test_nestingPastTheLimitIsAnErrorNotACrash() throws {
        let limit = JSONReader.maxDepth
        XCTAssertNoThrow(try parse(String(repeating: "[", count: limit) + String(repeating: "]", count: limit)))
        XCTAssertThrowsError(try parse(String(repeating: "[", count: limit + 1) + String(repeating: "]", count: limit + 1)))
        XCTAssertThrowsError(try parse(String(repeating: #"{"a":"#, count: 100_000)))
    }
}

private extension JSONValue {
    /// The same value with every number a double, for comparing with readers
    /// that classify `1.0` or `1e2` differently.
    var numbersAsDoubles: JSONValue {
        switch self {
        case .integer(let integer): return .number(Double(integer))
        case .array(let elements): return .array(elements.map(\.numbersAsDoubles))
        case .object(let members): return .object(members.mapValues(\.numbersAsDoubles))
        default: return self
        }
    }
}
