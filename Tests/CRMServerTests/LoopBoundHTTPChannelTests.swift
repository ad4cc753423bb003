import AsyncHTTPClient
import CRMServer
import Hummingbird
import HummingbirdCore
import NIOCore
import NIOPosix
import XCTest

/// The daemon's listener answers each connection on the event loop of its
/// socket: a handler runs there, still after it awaits a timer, and so does
/// an actor it calls (a task's executor preference carries into default
/// actors); a task it starts unstructured runs on Swift's pool.
final class LoopBoundHTTPChannelTests: XCTestCase {
    actor Elsewhere {
        func onAnEventLoop() -> Bool { MultiThreadedEventLoopGroup.currentEventLoop != nil }
    }

    /// Whether the handler was on an event loop at its start, after a sleep,
    /// after calling an actor; then the actor's own answer and an unstructured task's.
    private func router() -> Router<BasicRequestContext> {
        let router = Router()
        let elsewhere = Elsewhere()
        router.get("where") { _, _ -> String in
            let atStart = MultiThreadedEventLoopGroup.currentEventLoop != nil
            try await Task.sleep(for: .milliseconds(2))
            let afterSleep = MultiThreadedEventLoopGroup.currentEventLoop != nil
            let actorOnLoop = await elsewhere.onAnEventLoop()
            let afterActor = MultiThreadedEventLoopGroup.currentEventLoop != nil
            let taskOnLoop = await Task { MultiThreadedEventLoopGroup.currentEventLoop != nil }.value
            return "\(atStart) \(afterSleep) \(afterActor) actor:\(actorOnLoop) task:\(taskOnLoop)"
        }
        return router
    }

    private func answers(_ server: LoopbackServer<BasicRequestContext>, count: Int) async throws -> Set<String> {
        var seen = Set<String>()
        for _ in 0..<count {
            let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: "\(server.baseURL)/where"), timeout: .seconds(10))
            XCTAssertEqual(response.status, .ok)
            seen.insert(String(buffer: try await response.body.collect(upTo: 1 << 10)))
        }
        return seen
    }

    func testHandlersAndTheActorsTheyCallRunOnTheEventLoops() async throws {
        let server = try await LoopbackServer(router: router(), server: HTTPServer.connections)
        defer { server.stop() }
        let seen = try await answers(server, count: 20)
        XCTAssertEqual(seen, ["true true true actor:true task:false"])
    }

    /// What the test tells apart: Hummingbird's plain HTTP/1.1 runs handlers on Swift's pool.
    func testThePlainServerRunsHandlersOnThePool() async throws {
        let server = try await LoopbackServer(router: router())
        defer { server.stop() }
        let seen = try await answers(server, count: 5)
        XCTAssertEqual(seen, ["false false false actor:false task:false"])
    }
}
