import NIOCore

/// Runs the jobs of a task that prefers it on one NIO event loop.
///
/// A connection's task normally runs on Swift's cooperative pool while its
/// socket lives on an event loop, so every request crossed threads twice:
/// the loop handed the parsed request to a pool thread, and the pool thread
/// handed the response back to the loop to be written: a queue, a wake-up
/// and a context switch each way, per request. A task that prefers this
/// executor resumes on the loop that read its request, and writes its
/// response there without a hop.
///
/// Only for work that is short: a job holds the loop, and with it the I/O of
/// every connection on that loop, until it returns or suspends.
final class EventLoopTaskExecutor: TaskExecutor {
    let loop: any EventLoop

    init(_ loop: any EventLoop) { self.loop = loop }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        // From the loop itself this only appends to its queue of tasks, which
        // it runs before it next waits for I/O; from another thread it also
        // wakes the loop.
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
