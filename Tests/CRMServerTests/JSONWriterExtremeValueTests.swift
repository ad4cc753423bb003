import CRMCore
import Foundation
import XCTest

/// The writer prints whatever storage holds, including rows written from
/// hostile input before it was checked: no value may make it trap.
final class JSONWriterExtremeValueTests: XCTestCase {
    private func written(_ write: (inout JSONWriter) -> Void) -> String {
        var writer = JSONWriter()
        write(&writer)
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    func test_datesPastTheYear9999AreWrittenAsItsLastSecond() {
        for seconds in [1e19, 253_402_300_800, 9.3e18, Double.greatestFiniteMagnitude, .infinity] {
            XCTAssertEqual(written { $0.date(Date(timeIntervalSince1970: seconds)) }, "\"9999-12-31T23:59:59Z\"", "\(seconds)")
        }
    }

    func test_datesBeforeTheYear1AreWrittenAsItsFirstSecond() {
        for seconds in [-1e11, -62_135_596_801, -9.3e18, -Double.greatestFiniteMagnitude, -Double.infinity] {
            XCTAssertEqual(written { $0.date(Date(timeIntervalSince1970: seconds)) }, "\"0001-01-01T00:00:00Z\"", "\(seconds)")
        }
    }

    func test_aDateThatIsNotANumberIsWrittenAsNull() {
        XCTAssertEqual(written { $0.date(Date(timeIntervalSince1970: .nan)) }, "null")
    }

    func test_theFirstAndLastSecondsOfTheRangeAreWrittenAsThemselves() {
        XCTAssertEqual(written { $0.date(Date(timeIntervalSince1970: 253_402_300_799.5)) }, "\"9999-12-31T23:59:59Z\"")
        XCTAssertEqual(written { $0.date(Date(timeIntervalSince1970: -62_135_596_800)) }, "\"0001-01-01T00:00:00Z\"")
        XCTAssertEqual(written { $0.date(Date(timeIntervalSince1970: -0.5)) }, "\"1969-12-31T23:59:59Z\"")
    }

    func test_integersAtTheEndsOf64BitsAreWrittenExactly() {
        XCTAssertEqual(written { $0.integer(Int64.max) }, "9223372036854775807")
        XCTAssertEqual(written { $0.integer(Int64.min) }, "-9223372036854775808")
        XCTAssertEqual(written { $0.integer(Int.min) }, "-9223372036854775808")
        XCTAssertEqual(written { $0.integer(0 as Int64) }, "0")
    }

    func test_aConversationPageWithExtremeValuesIsValidJSON() throws {
        var writer = JSONWriter()
        writer.object { json in
            json.key("last_message_at"); json.date(Date(timeIntervalSince1970: 1e19))
            json.key("created_at"); json.date(Date(timeIntervalSince1970: -1e11))
            json.key("unread_count"); json.integer(Int.max)
            json.key("id"); json.integer(Int64.min)
        }
        let decoded = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(writer.bytes)) as? [String: Any])
        XCTAssertEqual(decoded["last_message_at"] as? String, "9999-12-31T23:59:59Z")
        XCTAssertEqual(decoded["created_at"] as? String, "0001-01-01T00:00:00Z")
    }

    func test_wholeSecondsOfAnyDateStayWithinTheKeptRange() {
        XCTAssertEqual(Date(timeIntervalSince1970: 1e19).wholeSecondsSince1970, 253_402_300_799)
        XCTAssertEqual(Date(timeIntervalSince1970: -1e11).wholeSecondsSince1970, -62_135_596_800)
        XCTAssertEqual(Date(timeIntervalSince1970: .nan).wholeSecondsSince1970, 0)
        XCTAssertEqual(Date(timeIntervalSince1970: 1_764_400_000.9).wholeSecondsSince1970, 1_764_400_000)
        XCTAssertEqual(Date(timeIntervalSince1970: -1.5).wholeSecondsSince1970, -2)
        XCTAssertEqual(Date(timeIntervalSince1970: .infinity).keptInRange, Date.latestKept)
    }
}
