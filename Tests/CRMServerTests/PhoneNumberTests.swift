import CRMCore
import XCTest

final class PhoneNumberTests: XCTestCase {
    func test_keepsTheASCIIDigitsInOrder() {
        XCTAssertEqual(PhoneNumber.digits("+55 (11) 97777-0000"), "5511977770000")
        XCTAssertEqual(PhoneNumber.digits("5511977770000"), "5511977770000")
        XCTAssertEqual(PhoneNumber.digits(""), "")
        XCTAssertEqual(PhoneNumber.digits("tel: +1 555"), "1555")
    }

    /// Other scripts' digits are not phone digits: a number written with them
    /// would never match the same number sent as ASCII.
    func test_dropsDigitsOfOtherScriptsAndEverythingElse() {
        XCTAssertEqual(PhoneNumber.digits("٥٥١١ 9"), "9")
        XCTAssertEqual(PhoneNumber.digits("５５11"), "11")
        XCTAssertEqual(PhoneNumber.digits("55é11\u{0}"), "5511")
    }
}
