import CQREncode
import Foundation

/// A real QR code (SPEC §4): the matrix libqrencode computes for a text, ready
/// to be drawn as PNG, SVG or terminal text. Pairing codes are shown this way so
/// that a phone's camera can read them from the web inbox or a terminal.
public struct QRCode: Sendable, Equatable {
    /// The QR version (1…40) libqrencode chose for the text.
    public let version: Int
    /// Modules per side, without the quiet zone.
    public let size: Int
    /// Row-major, `size * size` entries; true is a dark module.
    public let modules: [Bool]

    /// Encodes `text` (UTF-8, 8-bit mode) at error-correction level M.
    /// - Parameters:
    ///   - text: What the code carries, e.g. an instance's pairing payload.
    /// - Throws: `QRCodeError` when the text is empty or too long for a QR code.
    public init(encoding text: String) throws(QRCodeError) {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else { throw QRCodeError.emptyText }
        guard let symbol = bytes.withUnsafeBufferPointer({ buffer in
            QRcode_encodeData(Int32(buffer.count), buffer.baseAddress, 0, QR_ECLEVEL_M)
        }) else {
            throw QRCodeError.cannotEncode(byteCount: bytes.count, reason: String(cString: strerror(errno)))
        }
        defer { QRcode_free(symbol) }
        let width = Int(symbol.pointee.width)
        let data = UnsafeBufferPointer(start: symbol.pointee.data, count: width * width)
        version = Int(symbol.pointee.version)
        size = width
        // libqrencode keeps other flags in the high bits; bit 0 is the colour.
        modules = data.map { $0 & 1 == 1 }
    }

    /// Whether the module at column `x`, row `y` is dark; outside the symbol
    /// (the quiet zone) everything is light.
    public func isDark(x: Int, y: Int) -> Bool {
        guard x >= 0, y >= 0, x < size, y < size else { return false }
        return modules[y * size + x]
    }
}

/// Why a text could not become a QR code.
public enum QRCodeError: Error, Sendable, Equatable, CustomStringConvertible {
    case emptyText
    /// libqrencode refused the data, most often because it is longer than a
    /// version 40 symbol holds (about 2,300 bytes at level M).
    case cannotEncode(byteCount: Int, reason: String)

    public var description: String {
        switch self {
        case .emptyText: return "a QR code needs a non-empty text"
        case .cannotEncode(let count, let reason): return "cannot encode \(count) bytes as a QR code: \(reason)"
        }
    }
}
