import CRMCore
import Foundation
import GRDB

/// One message an instance sent on the simulated network, as the contact (or
/// group) received it.
public struct SimDelivery: Sendable, Equatable {
    /// The provider's message id the sender got back.
    public var id: String
    public var instanceID: InstanceID
    /// The sender instance's number: always the number paired with the instance that sent.
    public var from: String
    /// The contact's phone or user id, or the group id.
    public var to: String
    public var isGroup: Bool
    public var text: String
    public var at: Date
    /// `sent`, `delivered` or `read`, as the sender was told.
    public var status: DeliveryStatus

    public init(id: String, instanceID: InstanceID, from: String, to: String, isGroup: Bool, text: String, at: Date,
                status: DeliveryStatus) {
        self.id = id; self.instanceID = instanceID; self.from = from; self.to = to; self.isGroup = isGroup
        self.text = text; self.at = at; self.status = status
    }

    init(row: Row) {
        self.init(id: row["id"], instanceID: row["instance_id"], from: row["from_phone"], to: row["to_address"],
                  isGroup: row["is_group"], text: row["text"], at: Date(timeIntervalSince1970: row["at"]),
                  status: DeliveryStatus(rawValue: row["status"]) ?? .sent)
    }
}
