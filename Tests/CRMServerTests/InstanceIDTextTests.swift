import CRMCore
import Foundation
import XCTest

final class InstanceIDTextTests: XCTestCase {
    func test_uuidsInEitherCaseAreWellFormed() {
        for uuid in (0..<200).map({ _ in UUID().uuidString }) {
            XCTAssertTrue(InstanceIDText.isWellFormed(uuid), uuid)
            XCTAssertTrue(InstanceIDText.isWellFormed(uuid.lowercased()), uuid)
        }
    }

    func test_normalizedIsTheLowercaseIdOrNothing() {
        let id = "123e4567-e89b-12d3-a456-426614174000"
        XCTAssertEqual(InstanceIDText.normalized(id), id)
        XCTAssertEqual(InstanceIDText.normalized(id.uppercased()), id)
        XCTAssertEqual(InstanceIDText.normalized(Substring("123E4567-e89b-12D3-a456-426614174000")), id)
        XCTAssertNil(InstanceIDText.normalized(id + "0"))
        XCTAssertNil(InstanceIDText.normalized(""))
    }

    /// Stricter than Foundation's parser, which lets `sscanf` take a sign in a
    /// hex pair: everything accepted here Foundation accepts too.
    func test_anythingElseIsRefused() {
        var texts = ["", "x", "123E4567-E89B-12D3-A456-42661417400G", "123e4567e89b12d3a456426614174000",
                     "123e4567-e89b-12d3-a456-4266141740000", "123e4567-e89b-12d3-a456-42661417400",
                     "123e4567_e89b-12d3-a456-426614174000", "{123e4567-e89b-12d3-a456-426614174000}",
                     " 123e4567-e89b-12d3-a456-426614174000", "123e4567-e89b-12d3-a456-42661417400é",
                     "g23e4567-e89b-12d3-a456-426614174000", "-23e4567-e89b-12d3-a456-426614174000",
                     "123e4567--89b-12d3-a456-426614174000", "+23e4567-e89b-12d3-a456-426614174000"]
        for offset in [0, 7, 8, 9, 13, 23, 35] {
            for replacement: Character in ["z", ":", "@", "`", "/", " "] {
                var characters = Array("123e4567-e89b-12d3-a456-426614174000")
                characters[offset] = replacement
                texts.append(String(characters))
            }
        }
        for text in texts {
            XCTAssertFalse(InstanceIDText.isWellFormed(text), text)
        }
        XCTAssertTrue(InstanceIDText.isWellFormed("123e4567-e89b-12d3-a456-426614174000"))
        XCTAssertNotNil(UUID(uuidString: "123e4567-e89b-12d3-a456-426614174000"))
    }
}
