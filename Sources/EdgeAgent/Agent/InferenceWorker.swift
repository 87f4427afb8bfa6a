import Dispatch
import Synchronization

/// The one inference worker and its bounded queue. Interpretation is synchronous and will run a language model
/// for about 100 ms a command, so it runs here, on a serial queue of its own, never on the MQTT thread or the
/// Swift concurrency pool. When `capacity` jobs wait or run, `submit` refuses: the caller answers `busy`.
public final class InferenceWorker: Sendable {
    public let capacity: Int
    private let queue = DispatchQueue(label: "edge-agent.inference", qos: .userInitiated)
    /// Jobs waiting or running.
    private let pending = Mutex(0)

    public init(capacity: Int) {
        precondition(capacity > 0, "the queue holds at least one command")
        self.capacity = capacity
    }

    public var depth: Int { pending.withLock { $0 } }

    /// Queues `job`; false when the queue is full (and the job is not run).
    public func submit(_ job: @escaping @Sendable () -> Void) -> Bool {
        let accepted = pending.withLock { count in
            guard count < capacity else { return false }
            count += 1
            return true
        }
        guard accepted else { return false }
        queue.async {
            job()
            self.pending.withLock { $0 -= 1 }
        }
        return true
    }

    /// Returns once every job queued before the call has run.
    public func drain() async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            queue.async { done.resume() }
        }
    }
}
