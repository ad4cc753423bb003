import FuzzTargets
import Foundation
import XCTest

/// Every input a fuzz run ever failed on, replayed: `Regressions/<target>/`
/// holds them, one file each, added once the failure is fixed.
final class FuzzRegressionTests: XCTestCase {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Regressions")

    func test_savedInputsPass() throws {
        var replayed = 0
        for name in FuzzTargets.names {
            let directory = Self.folder.appendingPathComponent(name)
            let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
            guard !files.isEmpty else { continue }
            let target = try FuzzTargets.make(name)
            for file in files.sorted() {
                let input = try Data(contentsOf: directory.appendingPathComponent(file))
                do { try FuzzRunner.replay(target, Array(input)) } catch {
                    XCTFail("\(name)/\(file): \(error)")
                }
                replayed += 1
            }
        }
        XCTAssertGreaterThan(replayed, 0, "no saved input found under \(Self.folder.path)")
    }
}
