import CRMCore
import CRMScripting
import CRMSessions
import CRMStore
import Foundation

extension Daemon: InboxService {
    public func tenant(forKey key: String) async -> Tenant? {
        guard let company = try? store.company(forKey: key) else { return nil }
        return Tenant(companyID: company.id, companyName: company.name)
    }

    public func createInstance(_ request: NewInstance, for tenant: Tenant) async throws -> InstanceJSON {
        var config = request.config
        var secrets: Data?
        switch request.connector {
        case "sim":
            guard network != nil else { throw APIError.badRequest("the simulated network is off (--no-sim)", code: "invalid_field") }
            config = [:]
        case "cloud":
            do { _ = try CloudConfiguration(json: config, graphURL: configuration.graphURL) } catch {
                throw APIError.badRequest("\(error)", code: "invalid_field")
            }
            (config, secrets) = HostConnectors.split(config)
        default:
            throw APIError.badRequest("connector \(request.connector) is not available on this host; use sim or cloud",
                                      code: "invalid_field")
        }
        let record = try mapped { try store.createInstance(company: tenant.companyID, name: request.name,
                                                            connector: request.connector, config: config) }
        if let secrets {
            try StoredCredentials(store: store, vault: vault).save(secrets, for: record.id)
        }
        _ = await sessions.open(record.definition)
        scripts.instanceAppeared(record.info)
        bus.publish(type: "instance", companyID: tenant.companyID, object: record.json)
        return record.json
    }

    public func instances(for tenant: Tenant) async throws -> [InstanceJSON] {
        try mapped { try store.instances(company: tenant.companyID) }.map(\.json)
    }

    public func instance(_ id: String, for tenant: Tenant) async throws -> InstanceJSON {
        try owned(id, tenant).json
    }

    public func renameInstance(_ id: String, to name: String, for tenant: Tenant) async throws -> InstanceJSON {
        let record = try mapped { try store.renameInstance(id, company: tenant.companyID, to: name) }
        scripts.instanceAppeared(record.info)
        bus.publish(type: "instance", companyID: tenant.companyID, object: record.json)
        return record.json
    }

    public func deleteInstance(_ id: String, for tenant: Tenant) async throws {
        let record = try owned(id, tenant)
        cloudConfigurations.forget(record.id)
        await sessions.remove(record.id)
        try mapped { try store.deleteInstance(record.id, company: tenant.companyID) }
        scripts.instanceRemoved(record.id)
        var gone = record.json
        gone.status = "DELETED"
        bus.publish(type: "instance", companyID: tenant.companyID, object: gone)
    }

    public func connect(_ id: String, for tenant: Tenant) async throws -> InstanceJSON {
        let record = try owned(id, tenant)
        await session(for: record).connect()
        return try await settled(record.id, tenant: tenant, leaving: [.disconnected, .connecting, .loggedOut])
    }

    public func logout(_ id: String, for tenant: Tenant) async throws -> InstanceJSON {
        let record = try owned(id, tenant)
        cloudConfigurations.forget(record.id)
        await session(for: record).logout()
        return try await settled(record.id, tenant: tenant, leaving: [.connected, .qr, .connecting])
    }

    public func restart(_ id: String, for tenant: Tenant) async throws -> InstanceJSON {
        let record = try owned(id, tenant)
        let session = await session(for: record)
        await session.disconnect()
        await session.connect()
        return try await settled(record.id, tenant: tenant, leaving: [.disconnected, .connecting])
    }

    public func pairingCode(_ id: String, for tenant: Tenant) async throws -> String {
        let record = try owned(id, tenant)
        guard record.status == .qr, let code = record.qrCode else {
            throw APIError.notFound("pairing QR code (connect the instance first; \(record.status.rawValue) now)")
        }
        return code
    }

    public func conversations(_ query: ConversationQuery, for tenant: Tenant) async throws -> PageJSON<ConversationJSON> {
        let filter = InboxFilter(instanceID: query.instanceID, tag: query.tag, assignee: query.assignee, text: query.text)
        let page = try mapped {
            try store.conversations(company: tenant.companyID, filter: filter, cursor: query.cursor, limit: query.limit)
        }
        // A closure, not the key path `\.json`: on Linux a key path is built
        // anew at every call, which costs more than the mapping.
        return PageJSON(items: page.items.map { $0.json }, next_cursor: page.nextCursor)
    }

    public func messages(in conversation: Int64, cursor: String?, limit: Int, for tenant: Tenant) async throws -> PageJSON<MessageJSON> {
        let page = try mapped {
            try store.messages(in: conversation, company: tenant.companyID, order: .newestFirst, cursor: cursor, limit: limit)
        }
        if cursor == nil {
            // Opening a conversation reads it: its unread count goes back to zero.
            try mapped { try store.markRead(conversation, company: tenant.companyID) }
        }
        return PageJSON(items: page.items.map { $0.json }, next_cursor: page.nextCursor)
    }

    public func send(_ content: OutgoingContent, to conversation: Int64, for tenant: Tenant) async throws -> MessageJSON {
        let row = try mapped { try store.conversation(conversation, company: tenant.companyID) }
        let instance = try mapped { try store.instance(row.conversation.instanceID) }
        if instance.connector == "cloud", content.template == nil,
           !CloudConnector.isWindowOpen(lastInboundAt: row.conversation.lastInboundAt) {
            throw APIError(.unprocessableContent, code: "window_closed",
                           message: "the contact last wrote more than 24 hours ago: free text is refused, send a template")
        }
        return try mapped { try pipeline.send(content, to: conversation, company: tenant.companyID) }.json
    }

    public func scripts(for tenant: Tenant) async throws -> [ScriptStatusJSON] {
        let owned = Dictionary(uniqueKeysWithValues: try mapped { try store.instances(company: tenant.companyID) }.map { ($0.id, $0) })
        return scripts.statuses().compactMap { status in
            guard let record = owned[status.instance.id] else { return nil }
            return ScriptStatusJSON(
                instance: record.reference, folder: status.folder, version: status.version, loaded_at: status.loadedAt,
                last_error: status.lastError.map {
                    ScriptErrorJSON(message: $0.message, file: $0.file, line: $0.line, at: status.lastErrorAt ?? Date())
                })
        }
    }

    public func reloadScripts(for tenant: Tenant) async throws -> [ScriptStatusJSON] {
        if let folder = scriptOwners.folder(ofCompany: tenant.companyID) { scripts.reload(company: folder) }
        return try await scripts(for: tenant)
    }

    public func events(for tenant: Tenant) async -> AsyncStream<ServerEvent> {
        bus.subscribe(companyID: tenant.companyID)
    }

    public func metrics() async -> String {
        if let statistics = try? store.statistics() {
            metrics.set(.init("crm_outbox_depth"), to: Double(statistics.outbox))
        }
        if let instances = try? store.allInstances() {
            for status in InstanceStatus.allCases {
                metrics.set(.init("crm_instances", ["status": status.rawValue]),
                            to: Double(instances.filter { $0.status == status }.count))
            }
        }
        metrics.set(.init("crm_pipeline_writer_cpu_seconds_total"), to: pipeline.writerCPUTime.seconds)
        metrics.set(.init("crm_pipeline_batches_total"), to: Double(pipeline.writerBatches))
        let failures = pipeline.statistics
        metrics.set(.init("crm_pipeline_failed_transactions_total"), to: Double(failures.failedTransactions))
        metrics.set(.init("crm_pipeline_refused_total", ["reason": "storage"]), to: Double(failures.refusedAfterFailure))
        metrics.set(.init("crm_pipeline_refused_total", ["reason": "queue_full"]), to: Double(failures.refusedWhenFull))
        metrics.set(.init("crm_pipeline_handed_in_again_total"), to: Double(failures.handedInAgain))
        return metrics.render()
    }

    public var simulator: (any SimulatorService)? {
        network.map { SimulatorAdapter(network: $0) }
    }

    public func cloudConfiguration(instanceID: String) -> CloudConfiguration? {
        if let known = cloudConfigurations.value(for: instanceID) { return known }
        guard let record = try? store.instance(instanceID), record.connector == "cloud" else { return nil }
        let credentials = StoredCredentials(store: store, vault: vault)
        guard let configuration = try? HostConnectors(simulator: nil, credentials: credentials, graphURL: self.configuration.graphURL)
            .cloudConfiguration(record.id, config: record.config) else { return nil }
        cloudConfigurations.remember(configuration, for: record.id)
        return configuration
    }

    public func cloudEvents(_ events: [CloudWebhookEvent], instanceID: String,
                            completion: @escaping @Sendable (APIError?) -> Void) {
        guard !events.contains(where: { if case .contactChanged = $0 { true } else { false } }) else {
            Task { completion(await cloudEventsInOrder(events, instanceID: instanceID)) }
            return
        }
        // Messages and receipts are answered once committed: Meta delivers again what is refused.
        let awaited = events.count(where: { if case .message = $0 { true } else if case .receipt = $0 { true } else { false } })
        let countdown = awaited > 1 ? CompletionCountdown(count: awaited, completion) : nil
        let finished: @Sendable (InboundRejection?) -> Void = { rejection in
            let error = rejection.map(APIError.rejected)
            if let countdown { countdown.finished(error) } else { completion(error) }
        }
        for event in events {
            switch event {
            case .message(let message):
                pipeline.inbound(message) { result in
                    if case .failure(let rejection) = result { finished(rejection) } else { finished(nil) }
                }
            case .receipt(let id, let status, let reason):
                pipeline.receipt(instanceID, providerMessageID: id, status: status, reason: reason, completion: finished)
            case .error:
                logReported(event, instanceID: instanceID)
            case .contactChanged:
                break  // taken in order above
            }
        }
        if awaited == 0 { completion(nil) }
    }

    /// A webhook that relinks a contact, each event committed before the next
    /// is taken: the relink is written beside the pipeline, so a message after
    /// it must not be queued before it is done. Rare enough to take a task.
    private func cloudEventsInOrder(_ events: [CloudWebhookEvent], instanceID: String) async -> APIError? {
        for event in events {
            switch event {
            case .message(let message):
                do { try await pipeline.inbound(message) } catch { return APIError.rejected(error) }
            case .contactChanged(let old, let new):
                do { _ = try mapped { try store.relinkContact(instance: instanceID, from: old, to: new) } } catch {
                    return error as? APIError ?? .internalError
                }
            case .receipt(let id, let status, let reason):
                let refusal = await withCheckedContinuation { continuation in
                    pipeline.receipt(instanceID, providerMessageID: id, status: status, reason: reason) {
                        continuation.resume(returning: $0)
                    }
                }
                if let refusal { return APIError.rejected(refusal) }
            case .error:
                logReported(event, instanceID: instanceID)
            }
        }
        return nil
    }

    /// An error Meta reported: logged, the same whichever way the webhook is taken.
    private func logReported(_ event: CloudWebhookEvent, instanceID: String) {
        guard case .error(let text) = event else { return }
        logger.warning("Cloud API reported an error", metadata: ["instance": .string(instanceID), "error": .string(text)])
    }

    // MARK: Helpers

    /// The instance when it belongs to the tenant; otherwise not found.
    func owned(_ id: String, _ tenant: Tenant) throws -> InstanceRecord {
        try mapped { try store.instance(id, company: tenant.companyID) }
    }

    func session(for record: InstanceRecord) async -> InstanceSession {
        if let session = await sessions.session(record.id) { return session }
        return await sessions.open(record.definition)
    }

    /// Waits (briefly) for a lifecycle step to leave `leaving`, then answers the instance.
    func settled(_ id: String, tenant: Tenant, leaving: Set<InstanceStatus>) async throws -> InstanceJSON {
        let deadline = Date().addingTimeInterval(3)
        var record = try owned(id, tenant)
        while leaving.contains(record.status), Date() < deadline {
            try await Task.sleep(for: .milliseconds(20))
            record = try owned(id, tenant)
        }
        return record.json
    }

    /// Runs a storage call, turning its typed errors into API answers.
    func mapped<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as StoreError { throw APIError(error) }
    }
}

extension APIError {
    init(_ error: StoreError) {
        switch error {
        case .phoneInUse(let phone, _): self = .numberConnectedElsewhere(phone)
        case .invalidCursor: self = .badRequest(error.description, code: "invalid_cursor")
        case .emptyMessage: self = .badRequest(error.description, code: "invalid_field")
        case .instanceNotConnected: self = APIError(.conflict, code: "not_connected", message: error.description)
        default: self = APIError(.notFound, code: "not_found", message: error.description)
        }
    }

    /// A message the pipeline refused: what the sender must fix, or retry later.
    static func rejected(_ error: any Error) -> APIError {
        guard let rejection = error as? InboundRejection else {
            return APIError(.serviceUnavailable, code: "unavailable", message: "\(error)")
        }
        switch rejection {
        case .unknownInstance: return APIError(.notFound, code: "not_found", message: rejection.description)
        case .instanceNotConnected: return APIError(.conflict, code: "not_connected", message: rejection.description)
        case .stopped, .storageFailed: return APIError(.serviceUnavailable, code: "unavailable", message: rejection.description)
        case .overloaded: return APIError(.serviceUnavailable, code: "overloaded", message: rejection.description)
        default: return .badRequest(rejection.description, code: "invalid_field")
        }
    }
}
