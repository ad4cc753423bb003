import CRMCore

/// The host's sessions, one per instance: created, looked up and removed
/// here, and resumed when the host starts.
public actor InstanceSessions {
    private let environment: SessionEnvironment
    private var sessions: [InstanceID: InstanceSession] = [:]

    public init(environment: SessionEnvironment) {
        self.environment = environment
    }

    /// The instance's session, created on first use.
    @discardableResult
    public func open(_ definition: InstanceDefinition) -> InstanceSession {
        if let existing = sessions[definition.id] { return existing }
        let session = InstanceSession(definition, environment: environment)
        sessions[definition.id] = session
        return session
    }

    public func session(_ instance: InstanceID) -> InstanceSession? { sessions[instance] }

    public var count: Int { sessions.count }

    /// Deletes an instance's session: it logs out and its credentials are erased (SPEC §2.1).
    public func remove(_ instance: InstanceID) async {
        guard let session = sessions.removeValue(forKey: instance) else {
            try? environment.credentials.erase(for: instance)
            return
        }
        await session.logout()
    }

    /// At host start: opens every stored instance and reconnects, from their
    /// stored credentials, those that were connected (or reconnecting) when
    /// the host stopped. Instances left showing a QR code go back to `DISCONNECTED`.
    /// - Parameters:
    ///   - parallelism: Connection attempts running at once.
    public func resume(_ definitions: [InstanceDefinition], parallelism: Int = 32) async {
        var reconnecting: [InstanceSession] = []
        var reset: [InstanceSession] = []
        for definition in definitions {
            let session = open(definition)
            switch definition.status {
            case .connected, .connecting: reconnecting.append(session)
            case .qr: reset.append(session)
            case .disconnected, .loggedOut, .failed: break
            }
        }
        for session in reset { await session.disconnect() }
        await withTaskGroup(of: Void.self) { group in
            var pending = reconnecting.makeIterator()
            for _ in 0..<max(1, parallelism) {
                guard let session = pending.next() else { break }
                group.addTask { await session.connect() }
            }
            while await group.next() != nil {
                if let session = pending.next() { group.addTask { await session.connect() } }
            }
        }
    }

    /// Sends through the session of the message's instance, the only one that may send it.
    public func send(_ message: OutgoingMessage) async throws(SendFailure) -> String {
        guard let session = sessions[message.instanceID] else {
            throw SendFailure(reason: "instance \(message.instanceID) has no session on this host", retryable: false)
        }
        return try await session.send(message)
    }

    /// Stops every session without changing stored statuses, so the next start resumes them.
    public func shutdown() async {
        let all = Array(sessions.values)
        await withTaskGroup(of: Void.self) { group in
            for session in all { group.addTask { await session.shutdown() } }
        }
    }
}
