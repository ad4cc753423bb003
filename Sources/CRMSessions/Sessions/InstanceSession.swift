import CRMCore
import Foundation

/// One instance's session (SPEC §4): the only owner of its connector, its
/// credentials and its status. `DISCONNECTED → CONNECTING → QR → CONNECTED`;
/// `logout` → `LOGGED_OUT` with credentials erased; a lost connection retries
/// with backoff and keeps the session; too many failures in a row → `FAILED`.
/// Nothing here touches another instance.
public actor InstanceSession {
    public nonisolated let instanceID: InstanceID
    public private(set) var definition: InstanceDefinition
    public private(set) var state: SessionState
    private let environment: SessionEnvironment
    private var connector: (any Connector)?
    /// Bumped on every attempt, stop and logout: events of an older connector are ignored.
    private var generation = 0
    private var failures = 0
    private var retry: Task<Void, Never>?
    /// Set while `start` runs: a failure reported then is the attempt's failure.
    private var attempting = false
    private var attemptFailure: String?
    /// The last state report: the next one waits for it, so the host sees them in order.
    private var lastReport: Task<Void, Never>?

    public init(_ definition: InstanceDefinition, environment: SessionEnvironment) {
        self.instanceID = definition.id
        self.definition = definition
        self.environment = environment
        // Nothing is live before the first connect, whatever was stored.
        let live: Set<InstanceStatus> = [.connected, .connecting, .qr]
        self.state = SessionState(status: live.contains(definition.status) ? .disconnected : definition.status,
                                  phoneNumber: definition.phoneNumber)
    }

    // MARK: Asked for

    /// Connects now (from the stored credentials, else by pairing with a QR
    /// code), resetting the failure count. Returns after the first attempt:
    /// the state then is `CONNECTED`, `QR`, or `CONNECTING` with a retry planned.
    public func connect() async {
        cancelRetry()
        failures = 0
        await stopConnector()
        await attempt()
    }

    /// Closes the connection and keeps the credentials: `DISCONNECTED`.
    public func disconnect() async {
        cancelRetry()
        await stopConnector()
        await report(SessionState(status: .disconnected, phoneNumber: state.phoneNumber))
    }

    /// Ends the session for good: the connector logs out, the credentials are
    /// erased, the number is released: `LOGGED_OUT`.
    public func logout() async {
        cancelRetry()
        generation += 1
        let connector = self.connector ?? (try? makeConnector(credentials: try? environment.credentials.load(for: instanceID)))
        self.connector = nil
        await connector?.logout()
        var reason: String?
        do { try environment.credentials.erase(for: instanceID) } catch { reason = "\(error)" }
        await report(SessionState(status: .loggedOut, reason: reason))
    }

    /// Stops without a state change, so the stored status still says what to
    /// resume when the host starts again.
    public func shutdown() async {
        cancelRetry()
        await stopConnector()
        await lastReport?.value
    }

    /// Hands a message to the connector, if the instance is connected.
    public func send(_ message: OutgoingMessage) async throws(SendFailure) -> String {
        guard let connector, state.status == .connected else {
            throw SendFailure(reason: "instance \(instanceID) is \(state.status.rawValue), not CONNECTED",
                              retryable: state.status != .loggedOut)
        }
        return try await connector.send(message)
    }

    /// The connector while the instance is connected: the outbox sends through
    /// it directly, without queueing behind the session.
    public var liveConnector: (any Connector)? {
        state.status == .connected ? connector : nil
    }

    /// Changes the connector or its settings; takes effect at the next connect.
    public func redefine(_ definition: InstanceDefinition) {
        self.definition.connector = definition.connector
        self.definition.config = definition.config
    }

    // MARK: Attempts

    private func attempt() async {
        generation += 1
        let current = generation
        await report(SessionState(status: .connecting, phoneNumber: state.phoneNumber))
        let connector: any Connector
        do {
            connector = try makeConnector(credentials: try environment.credentials.load(for: instanceID))
        } catch {
            // Settings or credentials that cannot work: retrying cannot help.
            await report(SessionState(status: .failed, phoneNumber: state.phoneNumber, reason: "\(error)"))
            return
        }
        self.connector = connector
        attempting = true
        attemptFailure = nil
        var failure: String?
        do {
            try await connector.start(sink: SessionSink(session: self, generation: current, downstream: environment.sink))
        } catch {
            failure = "\(error)"
        }
        guard current == generation else { return }
        attempting = false
        if let reason = failure ?? attemptFailure { await connectionFailed(reason) }
    }

    private func makeConnector(credentials: Data?) throws -> any Connector {
        let store = environment.credentials
        let instance = instanceID
        return try environment.connectors.makeConnector(ConnectorSetup(
            instanceID: instanceID, kind: definition.connector, config: definition.config, credentials: credentials,
            saveCredentials: { data in try store.save(data, for: instance) }))
    }

    /// An attempt failed or a live connection was lost: retry later, or give up.
    private func connectionFailed(_ reason: String) async {
        failures += 1
        await stopConnector()
        let policy = environment.reconnect
        guard failures < policy.maximumFailures else {
            await report(SessionState(status: .failed, phoneNumber: state.phoneNumber,
                                      reason: "gave up after \(failures) failed attempts; last: \(reason)"))
            return
        }
        let delay = policy.delay(afterFailures: failures)
        let current = generation
        await report(SessionState(status: .connecting, phoneNumber: state.phoneNumber,
                                  reason: "retrying in \(String(format: "%.1f", delay.seconds)) s after: \(reason)"))
        guard current == generation else { return }
        retry = Task { [weak self] in
            try? await Task.sleep(for: delay)
            guard !Task.isCancelled else { return }
            await self?.retryIfStill(current)
        }
    }

    private func retryIfStill(_ scheduled: Int) async {
        guard scheduled == generation else { return }
        retry = nil
        await attempt()
    }

    private func cancelRetry() {
        retry?.cancel()
        retry = nil
    }

    private func stopConnector() async {
        generation += 1
        attempting = false
        let connector = self.connector
        self.connector = nil
        await connector?.stop()
    }

    // MARK: What the connector says

    func connectorChanged(_ event: ConnectionEvent, generation reported: Int) async {
        guard reported == generation else { return }
        switch event.status {
        case .qr:
            await report(SessionState(status: .qr, phoneNumber: nil, qrCode: event.qrCode))
        case .connected:
            failures = 0
            await report(SessionState(status: .connected, phoneNumber: event.phoneNumber ?? state.phoneNumber))
        case .connecting:
            await report(SessionState(status: .connecting, phoneNumber: state.phoneNumber, reason: event.reason))
        case .loggedOut:
            // The other side ended the session: the credentials are worthless now.
            cancelRetry()
            generation += 1
            attempting = false
            connector = nil
            var reason = event.reason ?? "logged out by the phone"
            do { try environment.credentials.erase(for: instanceID) } catch { reason += "; \(error)" }
            await report(SessionState(status: .loggedOut, reason: reason))
        case .disconnected, .failed:
            let reason = event.reason ?? "connection \(event.status.rawValue.lowercased())"
            if attempting {
                attemptFailure = reason
            } else {
                await connectionFailed(reason)
            }
        }
    }

    /// Records the new state and tells the host, in order, waiting until it has.
    private func report(_ new: SessionState) async {
        state = new
        let previous = lastReport
        let instance = instanceID
        let stateChanged = environment.stateChanged
        let report = Task {
            await previous?.value
            await stateChanged(instance, new)
        }
        lastReport = report
        await report.value
    }
}
