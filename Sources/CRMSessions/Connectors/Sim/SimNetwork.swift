import CRMCore
import Foundation

/// The simulated WhatsApp network (SPEC §12), one per host: it plays WhatsApp
/// and everyone outside the host. Instances link to it through `SimConnector`;
/// phones scan their QR codes, contacts and group members write to their
/// numbers, and what instances send is delivered to contacts with receipts
/// flowing back. Pairings and deliveries live in a ledger that outlives the host.
public actor SimNetwork {
    /// How long a pairing QR code stays valid before the next one replaces it.
    public nonisolated let pairingLifetime: Duration
    /// How long after a send its receipts come back: the sender has recorded
    /// the message id by then, as it would have on the real network.
    public nonisolated let receiptDelay: Duration
    let ledger: SimLedger
    var links: [InstanceID: SimLink] = [:]
    /// Connected numbers, for routing contacts' messages.
    var instanceByPhone: [String: InstanceID] = [:]
    /// Current pairing codes.
    var pairingCodes: [String: InstanceID] = [:]
    var faults: [InstanceID: SimFaults] = [:]

    /// - Parameters:
    ///   - ledgerPath: The SQLite file for pairings and deliveries (e.g. `DATA/sim.sqlite`); nil keeps them in memory.
    ///   - pairingLifetime: WhatsApp shows a new code about every 20 seconds.
    ///   - receiptDelay: The wait before a send's `sent` and `delivered` receipts.
    public init(ledgerPath: String? = nil, pairingLifetime: Duration = .seconds(20),
                receiptDelay: Duration = .milliseconds(20)) throws {
        self.ledger = try SimLedger(path: ledgerPath)
        self.pairingLifetime = pairingLifetime
        self.receiptDelay = receiptDelay
    }

    // MARK: Instances linking

    /// Links an instance: resumes its session from `credentials`, or starts
    /// pairing (a QR code now, a new one every `pairingLifetime`).
    /// - Parameters:
    ///   - paired: Called when a phone scans the instance's code, before it is reported connected.
    func link(_ instance: InstanceID, credentials: SimCredentials?, sink: any ConnectorSink,
              paired: @escaping @Sendable (SimCredentials) async throws -> Void) async throws {
        if faults[instance]?.refuseConnections == true { throw SimNetworkError.connectionRefused(instance) }
        unlink(instance)
        if let credentials {
            let pairing = try ledger.pairing(ofInstance: instance)
            guard let pairing, pairing.phone == credentials.phone, pairing.secret == credentials.secret else {
                await sink.connectionChanged(instance, ConnectionEvent(status: .loggedOut, phoneNumber: nil,
                                                                       reason: "the phone no longer lists this instance as linked"))
                return
            }
            links[instance] = SimLink(instance: instance, sink: sink, paired: paired, phone: pairing.phone, receiptDelay: receiptDelay)
            instanceByPhone[pairing.phone] = instance
            await sink.connectionChanged(instance, ConnectionEvent(status: .connected, phoneNumber: pairing.phone))
            return
        }
        var link = SimLink(instance: instance, sink: sink, paired: paired, phone: nil, receiptDelay: receiptDelay)
        let code = Self.newPairingCode()
        link.pairingCode = code
        link.pairingExpiresAt = ContinuousClock.now + pairingLifetime
        let linkID = link.id
        link.refresher = Task { [weak self, pairingLifetime] in
            while !Task.isCancelled {
                try? await Task.sleep(for: pairingLifetime)
                guard !Task.isCancelled, let self, await self.refreshPairingCode(instance, link: linkID) else { return }
            }
        }
        links[instance] = link
        pairingCodes[code] = instance
        await sink.connectionChanged(instance, ConnectionEvent(status: .qr, phoneNumber: nil, qrCode: code))
    }

    /// Closes the instance's link without a word to it; its pairing stays.
    func unlink(_ instance: InstanceID) {
        guard let link = links.removeValue(forKey: instance) else { return }
        link.close()
        if let code = link.pairingCode { pairingCodes[code] = nil }
        if let phone = link.phone, instanceByPhone[phone] == instance { instanceByPhone[phone] = nil }
    }

    /// The instance's phone forgets it: the pairing is gone for good.
    func unpair(_ instance: InstanceID) throws {
        unlink(instance)
        try ledger.unpair(instance)
    }

    /// Replaces the code of a link still pairing; false once it no longer is.
    private func refreshPairingCode(_ instance: InstanceID, link linkID: UUID) async -> Bool {
        guard var link = links[instance], link.id == linkID, link.phone == nil else { return false }
        if let old = link.pairingCode { pairingCodes[old] = nil }
        let code = Self.newPairingCode()
        link.pairingCode = code
        link.pairingExpiresAt = ContinuousClock.now + pairingLifetime
        links[instance] = link
        pairingCodes[code] = instance
        await link.sink.connectionChanged(instance, ConnectionEvent(status: .qr, phoneNumber: nil, qrCode: code))
        return true
    }

    /// Looks like WhatsApp's: a reference and two keys, base64.
    private static func newPairingCode() -> String {
        func random(_ count: Int) -> String {
            Data((0..<count).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        }
        return "2@\(random(18)),\(random(32)),\(random(16))"
    }

    // MARK: The outside world

    /// A phone scans a QR code: the instance showing it is paired with `phone`
    /// and becomes connected. Returns once the instance has been told.
    /// - Throws: `SimNetworkError.unknownPairingCode` (unknown or expired code),
    ///   `.numberConnectedElsewhere` (another instance holds the phone; it is left as it was).
    public func scan(qr: String, phone: String) async throws -> InstanceID {
        let phone = PhoneNumber.digits(phone)
        guard let instance = pairingCodes[qr], let link = links[instance], link.pairingCode == qr,
              let expiry = link.pairingExpiresAt, ContinuousClock.now < expiry else {
            throw SimNetworkError.unknownPairingCode
        }
        let credentials = SimCredentials(phone: phone, secret: UUID().uuidString)
        if let holder = try ledger.pair(SimPairing(instanceID: instance, phone: phone, secret: credentials.secret)) {
            throw SimNetworkError.numberConnectedElsewhere(phone: phone, instanceID: holder)
        }
        link.refresher?.cancel()
        pairingCodes[qr] = nil
        links[instance]?.pairingCode = nil
        links[instance]?.pairingExpiresAt = nil
        links[instance]?.phone = phone
        instanceByPhone[phone] = instance
        do {
            try await link.paired(credentials)
        } catch {
            // The instance could not keep its session: undo the pairing and let it start over.
            if links[instance]?.id == link.id {
                unlink(instance)
                try? ledger.unpair(instance)
            }
            await link.sink.connectionChanged(instance, ConnectionEvent(status: .disconnected, phoneNumber: nil,
                                                                        reason: "pairing not saved: \(error)"))
            throw error
        }
        await link.sink.connectionChanged(instance, ConnectionEvent(status: .connected, phoneNumber: phone))
        return instance
    }

    /// A contact, or a member of `group`, writes to a connected number. Returns
    /// the message id once the owning instance's sink has taken it (committed).
    /// The same `id` again is handed over again with that id: the host stores it once.
    /// - Throws: `SimNetworkError.numberNotConnected` when no connected instance has `number`,
    ///   or what the host's sink threw.
    @discardableResult
    public func deliver(to number: String, from: String, name: String?, text: String, id: String? = nil,
                        group: GroupRef? = nil) async throws -> String {
        let number = PhoneNumber.digits(number)
        guard let instance = instanceByPhone[number], let link = links[instance] else {
            throw SimNetworkError.numberNotConnected(number)
        }
        let messageID = id ?? Self.newMessageID()
        let author = ContactIdentity(phone: from)
        let message: InboundMessage
        if let group {
            message = InboundMessage(instanceID: instance, whatsappID: messageID, contact: ContactIdentity(userID: group.id),
                                     contactName: group.name, group: group, sender: author, senderName: name, text: text)
        } else {
            message = InboundMessage(instanceID: instance, whatsappID: messageID, contact: author, contactName: name, text: text)
        }
        try await link.sink.inbound(message)
        return messageID
    }

    /// What instances sent to `address` (a phone, a user id or a group id),
    /// oldest first. Looking is reading: unread messages are marked read and
    /// their senders get read receipts.
    public func messages(for address: String) throws -> [SimDelivery] {
        let digits = PhoneNumber.digits(address)
        var delivered = try ledger.deliveries(to: digits.isEmpty ? address : digits)
        if delivered.isEmpty, !digits.isEmpty, digits != address { delivered = try ledger.deliveries(to: address) }
        let unread = delivered.filter { $0.status != .read }
        try ledger.setStatus(.read, ids: unread.map(\.id))
        for delivery in unread { links[delivery.instanceID]?.receipt(delivery.id, .read) }
        return delivered
    }

    // MARK: Sending

    /// Delivers one message from `instance`, from the number paired with it.
    /// An idempotency key already delivered returns the first delivery's id.
    func send(_ message: OutgoingMessage, from instance: InstanceID) async throws(SendFailure) -> String {
        do {
            if let earlier = try ledger.delivery(instance: instance, idempotencyKey: message.idempotencyKey) {
                return earlier.id
            }
        } catch {
            throw SendFailure(reason: "the simulated network's ledger failed: \(error)", retryable: true)
        }
        let trouble = self.faults[instance] ?? .none
        if let refusal = trouble.refuseSends { throw refusal }
        if trouble.sendDelay > .zero { try? await Task.sleep(for: trouble.sendDelay) }
        guard let phone = links[instance]?.phone else {
            throw SendFailure(reason: "instance \(instance) is not connected to the simulated network", retryable: true)
        }
        let delivery = SimDelivery(id: Self.newMessageID(), instanceID: instance, from: phone, to: message.to,
                                   isGroup: message.isGroup, text: Self.text(of: message.content), at: Date(), status: .delivered)
        let recorded: (SimDelivery, isNew: Bool)
        do {
            recorded = try ledger.record(delivery, idempotencyKey: message.idempotencyKey)
        } catch {
            throw SendFailure(reason: "the simulated network's ledger failed: \(error)", retryable: true)
        }
        if recorded.isNew {
            links[instance]?.receipt(recorded.0.id, .sent)
            links[instance]?.receipt(recorded.0.id, .delivered)
        }
        return recorded.0.id
    }

    /// What a contact sees of a message: its text, else a caption or a note of what it is.
    private static func text(of content: OutgoingContent) -> String {
        if let text = content.text { return text }
        if let media = content.media { return media.caption ?? "[\(media.type)]" }
        if let template = content.template { return "[template \(template.name)]" }
        return ""
    }

    private static func newMessageID() -> String {
        "3EB0" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16)
    }

    // MARK: Faults

    /// Sets the trouble the network causes `instance` from now on.
    public func setFaults(_ faults: SimFaults, for instance: InstanceID) {
        self.faults[instance] = faults == .none ? nil : faults
    }

    /// Drops the instance's connection as a network failure would: it is told
    /// `DISCONNECTED`; its pairing stays, so it can reconnect.
    public func dropConnection(_ instance: InstanceID) async {
        guard let link = links[instance] else { return }
        unlink(instance)
        await link.sink.connectionChanged(instance, ConnectionEvent(status: .disconnected, phoneNumber: link.phone,
                                                                    reason: "connection lost"))
    }

    /// The number the instance is connected with, if it is.
    public func connectedPhone(of instance: InstanceID) -> String? { links[instance]?.phone }
}
