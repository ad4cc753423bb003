import CRMSessions
import Foundation

/// Webhook bodies shaped like Meta's, for the tests.
enum CloudPayloads {
    static func envelope(phoneNumberID: String, value: [String: Any]) -> [UInt8] {
        var value = value
        value["messaging_product"] = "whatsapp"
        value["metadata"] = ["display_phone_number": "15550001111", "phone_number_id": phoneNumberID]
        let body: [String: Any] = ["object": "whatsapp_business_account",
                                   "entry": [["id": "WABA", "changes": [["field": "messages", "value": value]]]]]
        return Array(try! JSONSerialization.data(withJSONObject: body))
    }

    static func text(phoneNumberID: String, wamid: String, from phone: String?, userID: String? = nil,
                     username: String? = nil, name: String = "João", body: String,
                     timestamp: Int = Int(Date().timeIntervalSince1970), rawTimestamp: String? = nil) -> [UInt8] {
        var contact: [String: Any] = ["profile": ["name": name].merging(username.map { ["username": $0] } ?? [:]) { $1 }]
        contact["wa_id"] = phone
        contact["user_id"] = userID
        var message: [String: Any] = ["id": wamid, "timestamp": rawTimestamp ?? String(timestamp), "type": "text", "text": ["body": body]]
        message["from"] = phone
        message["from_user_id"] = userID
        return envelope(phoneNumberID: phoneNumberID, value: ["contacts": [contact], "messages": [message]])
    }

    static func status(phoneNumberID: String, wamid: String, status: String, errorCode: Int? = nil) -> [UInt8] {
        var entry: [String: Any] = ["id": wamid, "status": status, "timestamp": "1764410001", "recipient_id": "5511911112222"]
        if let errorCode {
            entry["errors"] = [["code": errorCode, "title": "Message undeliverable", "error_data": ["details": "Recipient cannot be reached"]]]
        }
        return envelope(phoneNumberID: phoneNumberID, value: ["statuses": [entry]])
    }
}
