@testable import CRMServer
import CRMCore
import Foundation
import NIOCore
import NIOEmbedded
import NIOHTTP1

/// `WebhookRequestHead` against NIO's HTTP/1.1 decoder, which reads every
/// request the front hands over: where the front answers a webhook itself,
/// the decoder must see the same request (method, target, length, signature,
/// body). A disagreement is a request the two would frame differently, the
/// root of request smuggling.
enum HeadDifferential {
    static func check(_ bytes: [UInt8]) throws(FuzzFailure) {
        let reading = WebhookRequestHead.read(bytes)
        try prefixesAgree(bytes, reading)
        guard case .webhook(let head) = reading else { return }
        guard head.headLength <= bytes.count, bytes[..<head.headLength].suffix(4).elementsEqual(Array("\r\n\r\n".utf8)) else {
            throw FuzzFailure("the head's length \(head.headLength) does not end at a blank line")
        }
        // Only this request's bytes: what follows it is another request's business.
        let whole = head.headLength + head.contentLength <= bytes.count
        let framed = whole ? Array(bytes[..<(head.headLength + head.contentLength)]) : bytes
        var (parts, refusal) = decode(framed)
        if parts.isEmpty {
            // NIO refuses a tab around a header's value, which RFC 9110 allows
            // and the front trims: a stricter reader, not another framing.
            (parts, refusal) = decode(withoutTabs(framed, headLength: head.headLength))
            guard !parts.isEmpty else {
                throw FuzzFailure("the front reads a webhook NIO's decoder refuses (\(refusal.map { "\($0)" } ?? "")): \(head)")
            }
        }
        guard case .head(let request)? = parts.first else { throw FuzzFailure("NIO's decoder reads no head where the front reads \(head)") }
        guard request.method == .POST, request.version == .http1_1 else {
            throw FuzzFailure("NIO reads \(request.method) \(request.version) where the front reads a webhook")
        }
        let path = request.uri.prefix { $0 != "?" }
        guard path.hasPrefix("/webhooks/cloud/"),
              InstanceIDText.normalized(path.dropFirst("/webhooks/cloud/".count)) == head.instanceID else {
            throw FuzzFailure("NIO reads the target \(request.uri.debugDescription), the front the instance \(head.instanceID)")
        }
        // NIO keeps the spaces around a value; the front trims them, as RFC 9110 says.
        let trim = { (value: String) in value.trimmingCharacters(in: .init(charactersIn: " \t")) }
        let lengths = request.headers["content-length"].map(trim)
        guard lengths.count == 1, lengths.compactMap({ Int($0) }) == [head.contentLength],
              request.headers["transfer-encoding"].isEmpty else {
            throw FuzzFailure("NIO reads the lengths \(lengths) and \(request.headers["transfer-encoding"]), the front \(head.contentLength)")
        }
        let signatures = request.headers["x-hub-signature-256"].map(trim)
        guard signatures == (head.signature.map { [$0] } ?? []) else {
            throw FuzzFailure("NIO reads the signatures \(signatures), the front \(head.signature.debugDescription)")
        }
        guard whole else { return }
        var body: [UInt8] = []
        for case .body(let buffer) in parts.dropFirst() { body += buffer.readableBytesView }
        guard body.elementsEqual(bytes[head.headLength..<head.headLength + head.contentLength]),
              parts.dropFirst().contains(where: { if case .end = $0 { true } else { false } }) else {
            throw FuzzFailure("NIO reads another body than the front's \(head.contentLength) bytes")
        }
    }

    /// The parts NIO's decoder reads from `bytes` before it stops, at their end or at an error.
    private static func decode(_ bytes: [UInt8]) -> (parts: [HTTPServerRequestPart], refusal: (any Error)?) {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes)))
        defer { _ = try? channel.finish() }
        var refusal: (any Error)?
        do { try channel.writeInbound(ByteBuffer(bytes: bytes)) } catch { refusal = error }
        var parts: [HTTPServerRequestPart] = []
        while let part = try? channel.readInbound(as: HTTPServerRequestPart.self) { parts.append(part) }
        return (parts, refusal)
    }

    /// The request with tabs before the head's line ends and after its colons turned into nothing and spaces.
    private static func withoutTabs(_ bytes: [UInt8], headLength: Int) -> [UInt8] {
        var head = Array(bytes[..<headLength])
        var index = 0
        while index < head.count {
            if head[index] == 0x09, index + 1 < head.count, head[index + 1] == 0x0D || head[index + 1] == 0x09 {
                head.remove(at: index)
                index = max(index - 1, 0)
                continue
            }
            if head[index] == 0x09, index > 0, head[index - 1] == UInt8(ascii: ":") || head[index - 1] == 0x20 { head[index] = 0x20 }
            index += 1
        }
        return head + bytes[headLength...]
    }

    /// A head cut short is incomplete, never another request; more bytes after it change nothing.
    private static func prefixesAgree(_ bytes: [UInt8], _ reading: WebhookRequestHead.Reading) throws(FuzzFailure) {
        guard case .webhook(let head) = reading else { return }
        for cut in [0, 1, head.headLength / 2, head.headLength - 2, head.headLength - 1] where cut >= 0 && cut < head.headLength {
            let shorter = WebhookRequestHead.read(bytes[..<cut])
            guard shorter == .incomplete else {
                throw FuzzFailure("the first \(cut) bytes of a webhook head read as \(shorter), not incomplete")
            }
        }
        guard WebhookRequestHead.read(bytes + Array("GET / HTTP/1.1\r\n\r\n".utf8)) == reading else {
            throw FuzzFailure("bytes after a webhook head change how it reads")
        }
    }
}
