import Foundation

/// The host's own long-lived threads (the pipeline's writer, the log's
/// checkpointer, the scripts watcher), named so that `top -H` and
/// `/proc/<pid>/task/*/comm` tell them apart: their CPU time is what bounds
/// the pipeline, and unnamed they all read as the thread that created them.
public enum NamedThread {
    /// A started thread named `name` (at most 15 bytes, the kernel's limit) running `body`.
    @discardableResult
    public static func start(_ name: String, _ body: @escaping @Sendable () -> Void) -> Thread {
        let thread = Thread {
            // Set from the thread itself: set before `start()`, Foundation on
            // Linux keeps the name to itself and never gives it to the kernel.
            Thread.current.name = name
            body()
        }
        thread.start()
        return thread
    }
}
