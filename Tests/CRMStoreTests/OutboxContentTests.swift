import CRMCore
import Foundation
import XCTest
@testable import CRMStore

final class OutboxContentTests: XCTestCase {
    /// The outbox writes a send's content by hand and reads it back with the
    /// decoder: every shape and every awkward character must survive.
    func test_storedContentReadsBackAsTheSameContent() throws {
        let awkward = "aspas \" barra \\ / linha\nretorno\r tab\t sino\u{07} nulo\u{00} olá 👋 \u{1F}"
        let contents = [
            OutgoingContent(text: awkward),
            OutgoingContent(text: "segue", media: Media(type: "image", url: "https://x/y.png"), replyTo: "wamid.1"),
            OutgoingContent(media: Media(type: "document", url: "u", mime: "application/pdf", caption: awkward)),
            OutgoingContent(template: .init(name: "boas_vindas", language: "pt_BR", parameters: ["João", awkward])),
            OutgoingContent(template: .init(name: "vazio", language: "en", parameters: [])),
        ]
        for content in contents {
            let decoded = try JSONDecoder().decode(OutgoingContent.self, from: Data(content.storedJSON.utf8))
            XCTAssertEqual(decoded, content, content.storedJSON)
        }
    }
}
