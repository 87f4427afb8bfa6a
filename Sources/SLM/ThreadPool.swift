import SLMKernels
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Work that the pool runs on all its threads at once; each thread is told its index and the thread count.
public protocol ParallelTask: AnyObject {
    func execute(thread: Int, threads: Int)
}

/// A persistent pool of spinning workers for the forward pass.
///
/// A token costs a few hundred parallel steps, each followed by a barrier. Waking threads through a condition
/// variable costs tens of microseconds a step, so workers spin on an atomic generation counter between steps and
/// only park (on a condition variable) after a long idle spell, such as between two commands. The calling thread
/// takes part as worker 0.
public final class ThreadPool: @unchecked Sendable {
    public let threadCount: Int
    /// The name every worker thread carries.
    public static let workerThreadName = "slm-worker"

    /// The task of the current step, read by the workers after they see the generation change.
    private var task: (any ParallelTask)?
    private let generation = Atomic<Int>(0)
    private let finished = Atomic<Int>(0)
    private let sleepers = Atomic<Int>(0)
    private let stopping = Atomic<Bool>(false)
    private var mutex = pthread_mutex_t()
    private var wake = pthread_cond_t()
    private var workers: [pthread_t] = []

    /// How long a waiting worker spins before it parks: far longer than the gap between two steps of a token and
    /// between two tokens, far shorter than a pause between commands.
    private static let nanosecondsBeforeParking: UInt64 = 5_000_000
    /// Spins before a waiting thread starts yielding its core at each turn. When another process competes for the
    /// cores (the broker, a speech recogniser), the thread being waited for may not be running at all; yielding
    /// lets it run instead of burning the time slice it needs.
    private static let spinsBeforeYielding = 2_000

    private static func monotonicNanoseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }

    @inline(__always)
    private static func pause(_ spins: Int) {
        if spins < spinsBeforeYielding {
            slm_spin_pause()
        } else {
            sched_yield()
        }
    }

    public init(threads: Int) {
        precondition(threads >= 1, "a pool needs at least one thread")
        threadCount = threads
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&wake, nil)
        for index in 1..<max(threads, 1) {
            let context = Unmanaged.passRetained(WorkerContext(pool: Unmanaged.passUnretained(self), index: index))
                .toOpaque()
            var thread = pthread_t()
            let result = pthread_create(
                &thread, nil,
                { raw in
                    let context = Unmanaged<WorkerContext>.fromOpaque(raw!).takeRetainedValue()
                    // Named, so that tools (top -H, /proc/PID/task/*/comm) tell the engine's threads apart.
                    slm_name_current_thread(ThreadPool.workerThreadName)
                    context.pool._withUnsafeGuaranteedRef { $0.workerLoop(index: context.index) }
                    return nil
                }, context)
            precondition(result == 0, "pthread_create failed: \(result)")
            workers.append(thread)
        }
    }

    deinit {
        stopping.store(true, ordering: .sequentiallyConsistent)
        generation.add(1, ordering: .sequentiallyConsistent)
        pthread_mutex_lock(&mutex)
        pthread_cond_broadcast(&wake)
        pthread_mutex_unlock(&mutex)
        for thread in workers { pthread_join(thread, nil) }
        pthread_cond_destroy(&wake)
        pthread_mutex_destroy(&mutex)
    }

    /// Runs `task.execute` on every thread of the pool and returns when all have finished. The forward pass's hot
    /// path: publishing a task object allocates nothing. Not reentrant: one caller at a time.
    public func run(_ task: some ParallelTask) {
        if threadCount == 1 {
            task.execute(thread: 0, threads: 1)
            return
        }
        self.task = task
        finished.store(0, ordering: .relaxed)
        generation.add(1, ordering: .sequentiallyConsistent)
        if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
            pthread_mutex_lock(&mutex)
            pthread_cond_broadcast(&wake)
            pthread_mutex_unlock(&mutex)
        }
        task.execute(thread: 0, threads: threadCount)
        var spins = 0
        while finished.load(ordering: .acquiring) < threadCount - 1 {
            Self.pause(spins)
            spins += 1
        }
        self.task = nil
    }

    /// Runs `body(thread, threadCount)` on every thread of the pool and returns when all have finished. Convenient
    /// but it allocates a little per call; per-token work uses `run(_: ParallelTask)`.
    public func run(_ body: (_ thread: Int, _ threads: Int) -> Void) {
        withoutActuallyEscaping(body) { run(ClosureTask(body: $0)) }
    }

    private final class ClosureTask: ParallelTask {
        let body: (_ thread: Int, _ threads: Int) -> Void
        init(body: @escaping (_ thread: Int, _ threads: Int) -> Void) { self.body = body }
        func execute(thread: Int, threads: Int) { body(thread, threads) }
    }

    /// Splits `count` items into one contiguous range per thread, each a multiple of `granularity` but the last.
    @inline(__always)
    public static func share(of count: Int, thread: Int, threads: Int, granularity: Int = 1) -> Range<Int> {
        let units = (count + granularity - 1) / granularity
        let start = units * thread / threads * granularity
        let end = min(units * (thread + 1) / threads * granularity, count)
        return start..<max(start, end)
    }

    private func workerLoop(index: Int) {
        var seen = 0
        while true {
            var spins = 0
            var spinningSince: UInt64 = 0
            while generation.load(ordering: .acquiring) == seen {
                spins += 1
                if spins < Self.spinsBeforeYielding {
                    Self.pause(spins)
                    continue
                }
                if spinningSince == 0 { spinningSince = Self.monotonicNanoseconds() }
                if spins % 64 != 0 || Self.monotonicNanoseconds() - spinningSince < Self.nanosecondsBeforeParking {
                    Self.pause(spins)
                    continue
                }
                pthread_mutex_lock(&mutex)
                sleepers.add(1, ordering: .sequentiallyConsistent)
                while generation.load(ordering: .sequentiallyConsistent) == seen {
                    pthread_cond_wait(&wake, &mutex)
                }
                sleepers.subtract(1, ordering: .sequentiallyConsistent)
                pthread_mutex_unlock(&mutex)
            }
            seen = generation.load(ordering: .acquiring)
            if stopping.load(ordering: .acquiring) { return }
            task!.execute(thread: index, threads: threadCount)
            finished.add(1, ordering: .releasing)
        }
    }

    /// What a worker thread starts with. It does not own the pool: `deinit` stops and joins the workers before the
    /// pool's memory goes, and a worker holding a strong reference would keep the pool alive forever.
    private final class WorkerContext {
        let pool: Unmanaged<ThreadPool>
        let index: Int
        init(pool: Unmanaged<ThreadPool>, index: Int) {
            self.pool = pool
            self.index = index
        }
    }
}
