import CRMCore
import Foundation
import XCTest
@testable import CRMServer

/// The list answers are written by hand for speed; they must say exactly what
/// the API's JSON encoder says for the same values.
final class JSONWriterTests: XCTestCase {
    private let awkward = "aspas \" barra \\ / linha\nretorno\r tab\t sino\u{07} nulo\u{00} olá 👋 \u{1F}"

    func testConversationPageMatchesTheEncoder() throws {
        let instance = InstanceRefJSON(id: "3f1c", name: "WhatsApp Vendas", phone_number: "5511999998888")
        let full = ConversationJSON(id: 42, instance: instance, contact_id: "5511911112222", contact_phone: "5511911112222",
                                    contact_user_id: "BR.1502576394655843", contact_username: "joao.s", contact_name: awkward,
                                    is_group: false, group_name: nil, last_message_at: Date(timeIntervalSince1970: 1_764_400_000.75),
                                    unread_count: 3, tags: ["vip", awkward], assignee: "ana")
        let sparse = ConversationJSON(id: 7, instance: InstanceRefJSON(id: "9a", name: "Suporte", phone_number: nil),
                                      contact_id: "120363000000000001@g.us", contact_phone: nil, contact_user_id: nil,
                                      contact_username: nil, contact_name: nil, is_group: true, group_name: "Família",
                                      last_message_at: nil, unread_count: 0, tags: [], assignee: nil)
        try assertSameJSON(PageJSON(items: [full, sparse], next_cursor: "MTc2NDQwMDAwMC43NXw0Mg"))
        try assertSameJSON(PageJSON<ConversationJSON>(items: [], next_cursor: nil))
    }

    func testMessagePageMatchesTheEncoder() throws {
        let inbound = MessageJSON(id: 1, conversation_id: 42, whatsapp_message_id: "wamid.HBgM", direction: "in",
                                  sender: "5511911112222", content: awkward, media_url: nil, media_type: nil, status: nil,
                                  reason: nil, created_at: Date(timeIntervalSince1970: 0))
        let outbound = MessageJSON(id: 2, conversation_id: 42, whatsapp_message_id: nil, direction: "out", sender: nil,
                                   content: "", media_url: "https://example.com/a/b.jpg", media_type: "image",
                                   status: "failed", reason: "131047: re-engagement", created_at: Date(timeIntervalSince1970: 4_102_444_799))
        try assertSameJSON(PageJSON(items: [inbound, outbound], next_cursor: nil))
    }

    func testDatesAreWholeSecondsInUTC() throws {
        var writer = JSONWriter()
        writer.date(Date(timeIntervalSince1970: 1_764_400_000.999))
        XCTAssertEqual(String(decoding: writer.bytes, as: UTF8.self), "\"2025-11-29T07:06:40Z\"")
    }

    func testDatesMatchTheISO8601FormatterOverTwoCenturies() throws {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        var generator = SystemRandomNumberGenerator()
        // Leap days, year ends and the epoch itself, then random seconds from 1900 to 2100.
        let edges: [Int64] = [0, -1, 951_782_400, 951_868_799, 4_107_542_399, 1_767_225_599, 1_767_225_600]
        let seconds = edges + (0..<5_000).map { _ in Int64.random(in: -2_208_988_800...4_102_444_799, using: &generator) }
        for second in seconds {
            let date = Date(timeIntervalSince1970: TimeInterval(second))
            var writer = JSONWriter()
            writer.date(date.addingTimeInterval(Double.random(in: 0..<1, using: &generator)))
            XCTAssertEqual(String(decoding: writer.bytes, as: UTF8.self), "\"\(formatter.string(from: date))\"", "\(second)")
        }
    }

    func testTextIsEscapedWhereverTheEscapeFalls() throws {
        for text in ["\"", "a\"", "\"a", "\n\n", "ab\\cd\u{1F}", "", "sem escape", "👋\t👋"] {
            var writer = JSONWriter()
            writer.string(text)
            let decoded = try JSONSerialization.jsonObject(with: Data(writer.bytes), options: .fragmentsAllowed) as? String
            XCTAssertEqual(decoded, text)
        }
    }

    func testIntegersOfEveryWidth() throws {
        let numbers: [Int64] = [0, 7, -7, 10, 99, 100, 1_764_400_000, -1_000_000_000_000_000_000, .max, .min]
        var writer = JSONWriter()
        writer.array(numbers) { json, number in json.integer(number) }
        XCTAssertEqual(String(decoding: writer.bytes, as: UTF8.self), "[" + numbers.map(String.init).joined(separator: ",") + "]")
    }

    func testWritingIntoLentMemoryMovesOutWhenItOverflows() throws {
        let numbers = (0..<100).map { Int64($0) * 1_000_003 }
        var own = JSONWriter()
        own.array(numbers) { json, number in json.integer(number) }
        for size in [0, 16, 64, own.count - 1, own.count, own.count + 100] {
            let region = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 1)
            defer { region.deallocate() }
            var lent = JSONWriter(borrowing: region)
            lent.array(numbers) { json, number in json.integer(number) }
            XCTAssertEqual(lent.bytes, own.bytes, "region of \(size)")
            XCTAssertEqual(lent.isInBorrowedRegion, size >= own.count, "region of \(size)")
            if lent.isInBorrowedRegion {
                XCTAssertEqual(Array(region.prefix(lent.count)), own.bytes)
            }
        }
    }

    private func assertSameJSON<Value: Encodable & JSONWritable>(_ value: Value, line: UInt = #line) throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.withoutEscapingSlashes]
        var writer = JSONWriter()
        value.write(to: &writer)
        let written = try JSONSerialization.jsonObject(with: Data(writer.bytes)) as? NSDictionary
        let encoded = try JSONSerialization.jsonObject(with: encoder.encode(value)) as? NSDictionary
        XCTAssertNotNil(written, line: line)
        XCTAssertEqual(written, encoded, line: line)
    }
}
