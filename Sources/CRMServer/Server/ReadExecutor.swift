import Dispatch

/// Where the inbox list's task runs: Dispatch's global queue, beside the
/// event loops rather than on them.
///
/// `serve` leaves a core to the pipeline's writer, so on two cores there is
/// one event loop, and tasks run on the event loops. A task that reads a page
/// of the inbox from SQLite holds its loop for the whole read, so one loop
/// served 5,200–5,800 pages a second where two had served 7,500–9,400. On
/// this pool such reads run on as many threads as there are cores, while
/// the loop goes on reading and writing the sockets.
final class ReadExecutor: TaskExecutor {
    static let shared = ReadExecutor()

    private let queue = DispatchQueue.global(qos: .userInitiated)

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }
}
