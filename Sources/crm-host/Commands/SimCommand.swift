import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore

/// `crm-host sim …`: plays the outside world against a running host's `/sim`.
struct SimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim",
        abstract: "Acts as a phone or a contact on the simulated WhatsApp network of a running host.",
        subcommands: [Scan.self, Send.self]
    )

    struct Scan: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A simulated phone scans an instance's QR code.")

        @Option(help: "The text the QR code encodes (the instance's qr_code).")
        var qr: String

        @Option(help: "The phone number that scans, digits.")
        var phone: String

        @OptionGroup var host: HostOptions

        func run() async throws {
            print(try await SimCommand.post(host.url + "/sim/scan", ["qr": qr, "phone": phone]))
        }
    }

    struct Send: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A contact writes to a connected number.")

        @Option(help: "The instance's number, digits.")
        var to: String

        @Option(help: "The contact's number, digits.")
        var from: String

        @Option(help: "The contact's name.")
        var name: String?

        @OptionGroup var host: HostOptions

        @Argument(help: "The message text.")
        var text: String

        func run() async throws {
            var body = ["to": to, "from": from, "text": text]
            body["name"] = name
            print(try await SimCommand.post(host.url + "/sim/messages", body))
        }
    }

    /// Where the running host listens, shared by the subcommands.
    struct HostOptions: ParsableArguments {
        @Option(help: "Base URL of the running host.")
        var url: String = "http://127.0.0.1:8080"
    }

    /// POSTs JSON and returns the answer's body; a 4xx/5xx becomes an error with it.
    static func post(_ url: String, _ body: [String: String]) async throws -> String {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
        guard (200..<300).contains(response.status.code) else {
            throw ValidationError("\(response.status.code): \(text)")
        }
        return text
    }
}
