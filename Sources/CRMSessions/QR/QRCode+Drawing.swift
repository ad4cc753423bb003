/// The three ways a QR code is shown: PNG for browsers, SVG for crisp scaling,
/// half blocks for a terminal.
extension QRCode {
    /// Light modules around the symbol that readers need to find it (the
    /// standard asks for four).
    public static let quietZone = 4

    /// An 8-bit grayscale PNG, `scale` pixels per module, with the quiet zone.
    /// - Parameters:
    ///   - scale: Pixels per module side; at least 1.
    public func png(scale: Int = 6) -> [UInt8] {
        let scale = max(1, scale)
        let side = (size + 2 * Self.quietZone) * scale
        var pixels = [UInt8](repeating: 0xFF, count: side * side)
        for y in 0..<size {
            for x in 0..<size where isDark(x: x, y: y) {
                let left = (x + Self.quietZone) * scale
                let top = (y + Self.quietZone) * scale
                for row in top..<(top + scale) {
                    let start = row * side + left
                    pixels.replaceSubrange(start..<(start + scale), with: repeatElement(0, count: scale))
                }
            }
        }
        return GrayscalePNG.encode(width: side, height: side, pixels: pixels)
    }

    /// An SVG document: one path of unit squares in a viewBox of modules, so it
    /// scales without blur.
    public func svg() -> String {
        let side = size + 2 * Self.quietZone
        var path = ""
        for y in 0..<size {
            for x in 0..<size where isDark(x: x, y: y) {
                path += "M\(x + Self.quietZone) \(y + Self.quietZone)h1v1h-1z"
            }
        }
        return """
        <?xml version="1.0" encoding="UTF-8"?>
        <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(side) \(side)" shape-rendering="crispEdges">\
        <rect width="\(side)" height="\(side)" fill="#fff"/><path fill="#000" d="\(path)"/></svg>

        """
    }

    /// Text for a terminal: each character holds two rows of modules with
    /// Unicode half blocks, dark modules drawn as ink, with a two-module margin.
    public func terminalText() -> String {
        let margin = 2
        let range = -margin..<(size + margin)
        var lines: [String] = []
        for top in stride(from: range.lowerBound, to: range.upperBound, by: 2) {
            var line = ""
            for x in range {
                switch (isDark(x: x, y: top), isDark(x: x, y: top + 1)) {
                case (true, true): line += "█"
                case (true, false): line += "▀"
                case (false, true): line += "▄"
                case (false, false): line += " "
                }
            }
            lines.append(line)
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
