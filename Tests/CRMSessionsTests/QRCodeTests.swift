@testable import CRMSessions
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest

final class QRCodeTests: XCTestCase {
    func test_knownTextHasDeterministicMatrix() throws {
        let first = try QRCode(encoding: "HELLO WORLD")
        let second = try QRCode(encoding: "HELLO WORLD")
        XCTAssertEqual(first.version, 1)
        XCTAssertEqual(first.size, 21)
        XCTAssertEqual(first.modules, second.modules)
        // Finder patterns: the three corners start with a dark ring.
        XCTAssertTrue(first.isDark(x: 0, y: 0))
        XCTAssertTrue(first.isDark(x: 20, y: 0))
        XCTAssertTrue(first.isDark(x: 0, y: 20))
        XCTAssertFalse(first.isDark(x: 20, y: 20))
        XCTAssertFalse(first.isDark(x: -1, y: 0))
    }

    func test_longerTextGetsLargerVersion() throws {
        let code = try QRCode(encoding: String(repeating: "pairing-payload-", count: 10))
        XCTAssertGreaterThan(code.version, 1)
        XCTAssertEqual(code.size, 17 + 4 * code.version)
    }

    func test_emptyAndOversizedTextAreRefused() {
        XCTAssertThrowsError(try QRCode(encoding: "")) { XCTAssertEqual($0 as? QRCodeError, .emptyText) }
        XCTAssertThrowsError(try QRCode(encoding: String(repeating: "x", count: 5000))) { error in
            guard case .cannotEncode(let count, _)? = error as? QRCodeError else { return XCTFail("\(error)") }
            XCTAssertEqual(count, 5000)
        }
    }

    func test_checksumsMatchKnownValues() {
        XCTAssertEqual(Checksum.crc32(Array("IEND".utf8)), 0xAE42_6082)
        XCTAssertEqual(Checksum.crc32(Array("123456789".utf8)), 0xCBF4_3926)
        XCTAssertEqual(Checksum.adler32(Array("Wikipedia".utf8)), 0x11E6_0398)
    }

    func test_pngHasSignatureHeaderAndValidChecksums() throws {
        let code = try QRCode(encoding: "HELLO WORLD")
        let png = code.png(scale: 3)
        XCTAssertEqual(Array(png.prefix(8)), GrayscalePNG.signature)
        let chunks = try PNGChunks(png)
        XCTAssertEqual(chunks.map(\.type), ["IHDR", "IDAT", "IEND"])
        let side = UInt32((21 + 2 * QRCode.quietZone) * 3)
        let header = chunks[0].data
        XCTAssertEqual(readUInt32(header, at: 0), side)
        XCTAssertEqual(readUInt32(header, at: 4), side)
        XCTAssertEqual(Array(header[8...9]), [8, 0], "8-bit grayscale")
        for chunk in chunks {
            XCTAssertEqual(chunk.crc, Checksum.crc32(Array(chunk.type.utf8) + chunk.data), chunk.type)
        }
    }

    func test_pngPixelsMatchModules() throws {
        let code = try QRCode(encoding: "HELLO WORLD")
        let scale = 2
        let side = (code.size + 2 * QRCode.quietZone) * scale
        let raw = try inflateStored(try PNGChunks(code.png(scale: scale))[1].data)
        XCTAssertEqual(raw.count, (side + 1) * side)
        func pixel(_ x: Int, _ y: Int) -> UInt8 { raw[y * (side + 1) + 1 + x] }
        XCTAssertEqual(pixel(0, 0), 255, "quiet zone is light")
        let origin = QRCode.quietZone * scale
        XCTAssertEqual(pixel(origin, origin), 0, "top-left finder is dark")
        XCTAssertEqual(pixel(origin + 1, origin + 1), 0)
        for y in 0..<code.size {
            for x in 0..<code.size {
                XCTAssertEqual(pixel(origin + x * scale, origin + y * scale) == 0, code.isDark(x: x, y: y))
            }
        }
    }

    func test_largeImageSpansSeveralDeflateBlocks() throws {
        let code = try QRCode(encoding: "HELLO WORLD")
        let side = (code.size + 2 * QRCode.quietZone) * 12
        let raw = try inflateStored(try PNGChunks(code.png(scale: 12))[1].data)
        XCTAssertGreaterThan(raw.count, 65_535)
        XCTAssertEqual(raw.count, (side + 1) * side)
    }

    func test_svgIsWellFormedWithOnePath() throws {
        let code = try QRCode(encoding: "HELLO WORLD")
        let svg = code.svg()
        let document = try XMLDocument(data: Data(svg.utf8))
        let root = try XCTUnwrap(document.rootElement())
        XCTAssertEqual(root.name, "svg")
        XCTAssertEqual(root.attribute(forName: "viewBox")?.stringValue, "0 0 29 29")
        let paths = try root.nodes(forXPath: "//*[local-name()='path']")
        XCTAssertEqual(paths.count, 1)
        let d = try XCTUnwrap((paths.first as? XMLElement)?.attribute(forName: "d")?.stringValue)
        XCTAssertEqual(d.components(separatedBy: "M").count - 1, code.modules.filter { $0 }.count)
    }

    func test_terminalTextUsesHalfBlocksTwoRowsPerLine() throws {
        let code = try QRCode(encoding: "HELLO WORLD")
        let lines = code.terminalText().split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        XCTAssertEqual(lines.count, (21 + 4 + 1) / 2)
        XCTAssertTrue(lines.allSatisfy { $0.count == 25 })
        XCTAssertTrue(lines.joined().allSatisfy { " ▀▄█".contains($0) })
        // Margin of two modules: the third line's third column is the finder's top-left.
        let third = Array(lines[1])
        XCTAssertEqual(third[2], "█")
    }
}

private struct PNGChunk {
    var type: String
    var data: [UInt8]
    var crc: UInt32
}

/// Splits a PNG into its chunks, checking the lengths add up.
private func PNGChunks(_ png: [UInt8]) throws -> [PNGChunk] {
    var chunks: [PNGChunk] = []
    var offset = 8
    while offset < png.count {
        let length = Int(readUInt32(png, at: offset))
        let type = String(decoding: png[(offset + 4)..<(offset + 8)], as: UTF8.self)
        let end = offset + 8 + length
        guard end + 4 <= png.count else { throw PNGTestError.truncated }
        chunks.append(PNGChunk(type: type, data: Array(png[(offset + 8)..<end]), crc: readUInt32(png, at: end)))
        offset = end + 4
    }
    return chunks
}

/// Reads back a zlib stream of stored blocks, checking lengths and Adler-32.
private func inflateStored(_ stream: [UInt8]) throws -> [UInt8] {
    guard stream.count >= 6, stream[0] == 0x78, (UInt16(stream[0]) << 8 | UInt16(stream[1])) % 31 == 0 else {
        throw PNGTestError.badZlibHeader
    }
    var out: [UInt8] = []
    var offset = 2
    while true {
        let final = stream[offset] & 1 == 1
        guard stream[offset] >> 1 == 0 else { throw PNGTestError.notStored }
        let length = Int(stream[offset + 1]) | Int(stream[offset + 2]) << 8
        let complement = Int(stream[offset + 3]) | Int(stream[offset + 4]) << 8
        guard length ^ complement == 0xFFFF else { throw PNGTestError.badLength }
        out += stream[(offset + 5)..<(offset + 5 + length)]
        offset += 5 + length
        if final { break }
    }
    guard readUInt32(stream, at: offset) == Checksum.adler32(out), offset + 4 == stream.count else {
        throw PNGTestError.badAdler
    }
    return out
}

private func readUInt32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
    bytes[offset..<(offset + 4)].reduce(0) { $0 << 8 | UInt32($1) }
}

private enum PNGTestError: Error { case truncated, badZlibHeader, notStored, badLength, badAdler }
