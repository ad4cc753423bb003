import Synchronization

/// The store's idle `ReadConnection`s. A read takes one (opening another
/// when all are lent), runs in one transaction on it, and gives it back; there
/// are never more than the reads that ever ran at once.
final class ReadConnections: Sendable {
    private let path: String
    private let idle = Mutex<[ReadConnection]>([])

    init(path: String) { self.path = path }

    /// Runs `body` in one read transaction of an idle connection.
    func read<T>(_ body: (ReadConnection) throws -> T) throws -> T {
        let connection = try idle.withLock { $0.popLast() } ?? ReadConnection(path: path)
        defer { idle.withLock { $0.append(connection) } }
        return try connection.transaction(body)
    }
}
