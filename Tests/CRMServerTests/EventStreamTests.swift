@testable import CRMServer
import Foundation
import XCTest

/// `GET /api/events` streams must neither hold a graceful stop (SPEC §11:
/// SIGTERM finishes the events in flight, then exits) nor outlive the
/// clients that opened them.
final class EventStreamTests: XCTestCase {
    func test_gracefulStopEndsOpenAndAbandonedStreamsPromptly() async throws {
        // A keep-alive far beyond the test: only the stop itself may end the streams.
        let host = try await EventStreamTestHost.start(keepAlive: .seconds(600))
        defer { host.removeFolder() }
        var clients: [EventStreamClient] = []
        for _ in 0..<4 { clients.append(try await EventStreamClient(port: host.port, key: EventStreamTestHost.key)) }
        let allSubscribed = try await host.subscribers(reach: 4, within: .seconds(5))
        XCTAssertTrue(allSubscribed)
        clients[0].close()
        clients[1].close()

        let drained = await host.stopGracefully(within: .seconds(5))

        XCTAssertTrue(drained, "the listener did not drain with event streams open")
        for client in clients[2...] {
            try await client.readToEnd(within: .seconds(5))
            XCTAssertTrue(client.received.hasSuffix("0\r\n\r\n"), "an open stream ends as a complete response")
        }
        XCTAssertEqual(host.daemon.bus.subscriberCount, 0)
    }

    func test_streamsOfClientsThatLeftAreForgottenWithinAFewKeepAlives() async throws {
        let host = try await EventStreamTestHost.start(keepAlive: .milliseconds(200))
        defer { host.removeFolder() }
        let staying = try await EventStreamClient(port: host.port, key: EventStreamTestHost.key)
        var leaving: [EventStreamClient] = []
        for _ in 0..<3 { leaving.append(try await EventStreamClient(port: host.port, key: EventStreamTestHost.key)) }
        let allSubscribed = try await host.subscribers(reach: 4, within: .seconds(5))
        XCTAssertTrue(allSubscribed)

        for client in leaving { client.close() }

        // No event is published: only the keep-alive's writes can notice them.
        let forgotten = try await host.subscribers(reach: 1, within: .seconds(3))
        XCTAssertTrue(forgotten, "\(host.daemon.bus.subscriberCount) subscribers remain of 1")
        try await staying.read(until: ": keep-alive\n\n", within: .seconds(3))
        _ = await host.stopGracefully(within: .seconds(5))
    }

    func test_eventsKeepTheirOrderAndCompanyBetweenKeepAlives() async throws {
        let host = try await EventStreamTestHost.start(keepAlive: .milliseconds(50))
        defer { host.removeFolder() }
        let client = try await EventStreamClient(port: host.port, key: EventStreamTestHost.key)
        let found = await host.daemon.tenant(forKey: EventStreamTestHost.key)
        let tenant = try XCTUnwrap(found)
        let allSubscribed = try await host.subscribers(reach: 1, within: .seconds(5))
        XCTAssertTrue(allSubscribed)
        try await client.read(until: ": keep-alive\n\n", within: .seconds(3))

        for number in 1...3 {
            host.daemon.bus.publish(ServerEvent(type: "message", companyID: tenant.companyID + 1, json: #"{"other":\#(number)}"#))
            host.daemon.bus.publish(ServerEvent(type: "message", companyID: tenant.companyID, json: #"{"n":\#(number)}"#))
            try await Task.sleep(for: .milliseconds(60))
        }
        try await client.read(until: #"data: {"n":3}"#, within: .seconds(3))

        let data = client.received.split(separator: "\n").filter { $0.hasPrefix("data: ") }
        XCTAssertEqual(data, [#"data: {"n":1}"#, #"data: {"n":2}"#, #"data: {"n":3}"#])
        XCTAssertFalse(client.received.contains("other"), "another company's events reach no one else")
        _ = await host.stopGracefully(within: .seconds(5))
    }

    func test_closedBusEndsItsStreamsAndNewOnes() async throws {
        let bus = EventBus(keepAlive: .seconds(600))
        let open = bus.subscribe(companyID: 1)
        bus.close()
        let openEnded = await Self.ends(open, within: .seconds(2))
        XCTAssertTrue(openEnded, "a subscription open at the close ends")
        let laterEnded = await Self.ends(bus.subscribe(companyID: 1), within: .seconds(2))
        XCTAssertTrue(laterEnded, "a subscription after the close ends at once")
        XCTAssertEqual(bus.subscriberCount, 0)
    }

    /// Whether `stream` ends, with no event, within `limit` (cancelled otherwise).
    private static func ends(_ stream: AsyncStream<ServerEvent>, within limit: Duration) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                for await _ in stream { return false }
                return !Task.isCancelled
            }
            group.addTask {
                try? await Task.sleep(for: limit)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }
}
