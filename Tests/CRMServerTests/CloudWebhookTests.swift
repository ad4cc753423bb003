import CRMCore
import CRMSessions
import XCTest

final class CloudWebhookTests: XCTestCase {
    let phoneNumberID = "1098765432"

    func test_signatureOverTheRawBodyIsAccepted() {
        let body = CloudPayloads.text(phoneNumberID: phoneNumberID, wamid: "wamid.1", from: "5511911112222", body: "oi")
        let header = CloudSignature.header(body: body, appSecret: "s3cret")
        XCTAssertTrue(CloudSignature.isValid(body: body, header: header, appSecret: "s3cret"))
    }

    func test_signaturesAgreeWithSwiftCryptoForSecretsShorterAndLongerThanAHashBlock() {
        let body = CloudPayloads.text(phoneNumberID: phoneNumberID, wamid: "wamid.2", from: "5511911112222", body: "oi")
        for length in [0, 1, 63, 64, 65, 200] {
            let secret = String(repeating: "k", count: length)
            let header = CloudSignature.header(body: body, appSecret: secret)
            XCTAssertTrue(CloudSignature.isValid(body: body, header: header, appSecret: secret), "a secret of \(length) bytes")
            XCTAssertFalse(CloudSignature.isValid(body: body, header: header, appSecret: secret + "k"), "a secret of \(length) bytes")
        }
        XCTAssertTrue(CloudSignature.isValid(body: [], header: CloudSignature.header(body: [], appSecret: "s"), appSecret: "s"))
    }

    func test_forgedMissingOrMalformedSignaturesAreRejected() {
        let body = CloudPayloads.text(phoneNumberID: phoneNumberID, wamid: "wamid.1", from: "5511911112222", body: "oi")
        let header = CloudSignature.header(body: body, appSecret: "s3cret")
        XCTAssertFalse(CloudSignature.isValid(body: body, header: header, appSecret: "other"))
        XCTAssertFalse(CloudSignature.isValid(body: body + [32], header: header, appSecret: "s3cret"))
        XCTAssertFalse(CloudSignature.isValid(body: body, header: nil, appSecret: "s3cret"))
        XCTAssertFalse(CloudSignature.isValid(body: body, header: "sha256=zz", appSecret: "s3cret"))
        XCTAssertTrue(CloudSignature.isValid(body: body, header: "sha256=" + header.dropFirst(7).uppercased(), appSecret: "s3cret"))
        XCTAssertFalse(CloudSignature.isValid(body: body, header: String(header.dropLast()) + "g", appSecret: "s3cret"))
        XCTAssertFalse(CloudSignature.isValid(body: body, header: String(header.dropFirst(7)), appSecret: "s3cret"))
        for position in [7, 38, 70] {
            var digits = Array(header.utf8)
            digits[position] = digits[position] == UInt8(ascii: "0") ? UInt8(ascii: "1") : UInt8(ascii: "0")
            XCTAssertFalse(CloudSignature.isValid(body: body, header: String(decoding: digits, as: UTF8.self), appSecret: "s3cret"),
                           "one hex digit changed at \(position)")
        }
    }

    func test_textMessageCarriesContactNameAndPhone() throws {
        let body = CloudPayloads.text(phoneNumberID: phoneNumberID, wamid: "wamid.A", from: "5511911112222", body: "qual o preço?",
                                      timestamp: 1_764_410_000)
        let parsed = try CloudWebhook.parse(body, instanceID: "i1", phoneNumberID: phoneNumberID)
        guard case .message(let message) = parsed.events.first else { return XCTFail("no message: \(parsed)") }
        XCTAssertEqual(message.whatsappID, "wamid.A")
        XCTAssertEqual(message.contact, ContactIdentity(phone: "5511911112222"))
        XCTAssertEqual(message.contactName, "João")
        XCTAssertEqual(message.text, "qual o preço?")
        XCTAssertEqual(message.at, Date(timeIntervalSince1970: 1_764_410_000))
    }

    func test_aTimestampThatIsNoRealSendTimeBecomesTheArrivalTime() throws {
        let arrival = Date(timeIntervalSince1970: 1_764_410_100)
        for timestamp in ["1e19", "-100000000000", "-1", "99999999999999999999", "1764410101", "1764410000.5", "NaN",
                          "inf", "", " 1764410000", "0x10"] {
            let body = CloudPayloads.text(phoneNumberID: phoneNumberID, wamid: "wamid.T", from: "5511911112222", body: "oi",
                                          rawTimestamp: timestamp)
            let parsed = try CloudWebhook.parse(body, instanceID: "i1", phoneNumberID: phoneNumberID, receivedAt: arrival)
            guard case .message(let message) = parsed.events.first else { return XCTFail("no message for \(timestamp)") }
            XCTAssertEqual(message.at, arrival, timestamp)
        }
    }

    func test_aTimestampUpToTheArrivalIsKept() throws {
        let arrival = Date(timeIntervalSince1970: 1_764_410_100)
        for seconds in [0, 1_764_410_100, 1_764_000_000] {
            let body = CloudPayloads.text(phoneNumberID: phoneNumberID, wamid: "wamid.T", from: "5511911112222", body: "oi",
                                          timestamp: seconds)
            let parsed = try CloudWebhook.parse(body, instanceID: "i1", phoneNumberID: phoneNumberID, receivedAt: arrival)
            guard case .message(let message) = parsed.events.first else { return XCTFail("no message for \(seconds)") }
            XCTAssertEqual(message.at, Date(timeIntervalSince1970: TimeInterval(seconds)))
        }
    }

    func test_usernameOnlyContactIsKeyedByItsUserID() throws {
        let body = CloudPayloads.text(phoneNumberID: phoneNumberID, wamid: "wamid.U", from: nil, userID: "BR.1502576394655843",
                                      username: "joao.silva", body: "oi")
        let parsed = try CloudWebhook.parse(body, instanceID: "i1", phoneNumberID: phoneNumberID)
        guard case .message(let message) = parsed.events.first else { return XCTFail("no message") }
        XCTAssertNil(message.contact.phone)
        XCTAssertEqual(message.contact.userID, "BR.1502576394655843")
        XCTAssertEqual(message.contact.username, "joao.silva")
        XCTAssertEqual(message.contact.contactID, "BR.1502576394655843")
    }

    func test_changesForAnotherPhoneNumberIDAreIgnored() throws {
        let body = CloudPayloads.text(phoneNumberID: "999", wamid: "wamid.X", from: "5511911112222", body: "oi")
        let parsed = try CloudWebhook.parse(body, instanceID: "i1", phoneNumberID: phoneNumberID)
        XCTAssertEqual(parsed.events, [])
        XCTAssertEqual(parsed.foreignChanges, 1)
    }

    func test_mediaLocationInteractiveAndReactionsBecomeTextWithMedia() throws {
        let messages: [[String: Any]] = [
            ["from": "551", "id": "m1", "type": "image", "image": ["id": "MEDIA1", "mime_type": "image/jpeg", "caption": "foto"]],
            ["from": "551", "id": "m2", "type": "location", "location": ["latitude": -23.5, "longitude": -46.6, "name": "Loja"]],
            ["from": "551", "id": "m3", "type": "interactive",
             "interactive": ["type": "button_reply", "button_reply": ["id": "yes", "title": "Sim"]]],
            ["from": "551", "id": "m4", "type": "reaction", "reaction": ["message_id": "wamid.OUT", "emoji": "👍"]],
            ["from": "551", "id": "m5", "type": "interactive",
             "interactive": ["type": "list_reply", "list_reply": ["id": "p2", "title": "Plano 2", "description": "mensal"]]],
            ["from": "551", "id": "m6", "type": "contacts",
             "contacts": [["name": ["formatted_name": "Ana"], "phones": [["phone": "+55 11 95555-0000"]]]]],
        ]
        let body = CloudPayloads.envelope(phoneNumberID: phoneNumberID,
                                          value: ["contacts": [["profile": ["name": "C"], "wa_id": "551"]], "messages": messages])
        let events = try CloudWebhook.parse(body, instanceID: "i1", phoneNumberID: phoneNumberID).events
        let inbound = events.compactMap { event -> InboundMessage? in
            if case .message(let message) = event { return message } else { return nil }
        }
        XCTAssertEqual(inbound.map(\.text), ["foto", "Loja (-23.5,-46.6)", "Sim", "👍", "Plano 2", "Ana +55 11 95555-0000"])
        XCTAssertEqual(inbound.map { $0.media?.type }, ["image", "location", "button_reply", "reaction", "list_reply", "contacts"])
        XCTAssertEqual(inbound[0].media?.url, "media:MEDIA1")
        XCTAssertEqual(inbound[0].media?.mime, "image/jpeg")
    }

    func test_statusesAndErrorsAreReported() throws {
        let failed = CloudPayloads.status(phoneNumberID: phoneNumberID, wamid: "wamid.OUT", status: "failed", errorCode: 131026)
        let events = try CloudWebhook.parse(failed, instanceID: "i1", phoneNumberID: phoneNumberID).events
        XCTAssertEqual(events, [.receipt(providerMessageID: "wamid.OUT", status: .failed,
                                         reason: "131026: Recipient cannot be reached")])
        let read = CloudPayloads.status(phoneNumberID: phoneNumberID, wamid: "wamid.OUT", status: "read")
        XCTAssertEqual(try CloudWebhook.parse(read, instanceID: "i1", phoneNumberID: phoneNumberID).events,
                       [.receipt(providerMessageID: "wamid.OUT", status: .read, reason: nil)])
    }

    func test_changedNumberSystemMessageLinksTheSamePerson() throws {
        let message: [String: Any] = ["from": "5511911112222", "id": "s1", "type": "system",
                                      "system": ["type": "user_changed_number", "new_wa_id": "5511977778888", "body": "changed"]]
        let body = CloudPayloads.envelope(phoneNumberID: phoneNumberID, value: ["messages": [message]])
        let events = try CloudWebhook.parse(body, instanceID: "i1", phoneNumberID: phoneNumberID).events
        XCTAssertEqual(events, [.contactChanged(from: ContactIdentity(phone: "5511911112222"),
                                                to: ContactIdentity(phone: "5511977778888"))])
    }

    func test_malformedBodyIsAnError() {
        XCTAssertThrowsError(try CloudWebhook.parse(Array("not json".utf8), instanceID: "i1", phoneNumberID: phoneNumberID))
    }

    func test_fieldsOfTheWrongTypeMakeTheBodyMalformedAndUnknownOnesAreIgnored() throws {
        func body(_ message: String) -> [UInt8] {
            Array(#"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"metadata":{"phone_number_id":"\#(phoneNumberID)"},"messages":[\#(message)]}}]}]}"#.utf8)
        }
        for wrong in [#"{"id":5,"from":"5511","text":{"body":"oi"}}"#, #"{"id":"w1","from":["5511"],"text":{"body":"oi"}}"#,
                      #"{"id":"w1","from":"5511","text":"oi"}"#, #"{"from":"5511","text":{"body":"oi"}}"#] {
            XCTAssertThrowsError(try CloudWebhook.parse(body(wrong), instanceID: "i1", phoneNumberID: phoneNumberID), wrong)
        }
        let parsed = try CloudWebhook.parse(body(#"{"id":"w1","from":"5511","text":{"body":"oi","new":[1,{}]},"brand_new":{"x":null},"type":"text"}"#),
                                            instanceID: "i1", phoneNumberID: phoneNumberID)
        guard case .message(let message)? = parsed.events.first else { return XCTFail("no message") }
        XCTAssertEqual(message.text, "oi")
        XCTAssertEqual(message.contact.phone, "5511")
    }
}
