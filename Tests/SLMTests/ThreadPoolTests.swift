import Foundation
import Synchronization
import XCTest

@testable import SLM

/// The worker pool: every thread runs every job exactly once, work splits exactly, idle workers park and wake, and
/// a dropped pool joins its threads.
final class ThreadPoolTests: XCTestCase {
    /// Atomic counters, one a slot.
    final class Counters: Sendable {
        final class Counter: Sendable {
            let value = Atomic<Int>(0)
        }
        let counters: [Counter]
        init(_ count: Int) { counters = (0..<count).map { _ in Counter() } }
        subscript(_ index: Int) -> Int { counters[index].value.load(ordering: .sequentiallyConsistent) }
        func add(_ index: Int, _ amount: Int = 1) { counters[index].value.add(amount, ordering: .relaxed) }
    }

    func testEveryThreadIndexRunsOncePerRun() {
        for threads in 1...4 {
            let pool = ThreadPool(threads: threads)
            XCTAssertEqual(pool.threadCount, threads)
            for run in 1...20 {
                let counters = Counters(threads + 1)
                pool.run { thread, count in
                    counters.add(min(thread, threads))
                    if count != threads { counters.add(threads) }
                }
                XCTAssertEqual((0..<threads).map { counters[$0] }, [Int](repeating: 1, count: threads), "run \(run)")
                XCTAssertEqual(counters[threads], 0, "every thread is told the thread count")
            }
        }
    }

    /// `run` returns only when every thread has finished: what the workers wrote is all there.
    func testRunWaitsForEveryThread() {
        let pool = ThreadPool(threads: 3)
        let slots = UnsafeMutableBufferPointer<Int>.allocate(capacity: 3)
        defer { slots.deallocate() }
        for run in 1...40 {
            pool.run { thread, _ in
                if thread != 0 { usleep(50) }  // the workers finish after the caller
                slots[thread] = run
            }
            XCTAssertEqual(Array(slots), [run, run, run])
        }
    }

    func testShareSplitsEveryCountExactly() {
        for threads in 1...9 {
            for granularity in [1, 2, 3, 16, 32] {
                for count in 0...300 {
                    let ranges = (0..<threads).map {
                        ThreadPool.share(of: count, thread: $0, threads: threads, granularity: granularity)
                    }
                    let what = "count \(count), \(threads) threads, granularity \(granularity): \(ranges)"
                    // contiguous, in thread order, covering 0..<count
                    var next = 0
                    for range in ranges where !range.isEmpty {
                        XCTAssertEqual(range.lowerBound, next, what)
                        next = range.upperBound
                    }
                    XCTAssertEqual(next, count, what)
                    // whole units of `granularity`, but the one that ends at `count`
                    for range in ranges where !range.isEmpty {
                        XCTAssertEqual(range.lowerBound % granularity, 0, what)
                        if range.upperBound != count { XCTAssertEqual(range.count % granularity, 0, what) }
                    }
                    // balanced: shares differ by at most one unit
                    let units = ranges.map { ($0.count + granularity - 1) / granularity }
                    XCTAssertLessThanOrEqual(units.max()! - units.min()!, 1, what)
                }
            }
        }
    }

    /// Consecutive runs follow each other without a gap: a worker that missed a generation, or ran one twice, would
    /// change the total.
    func testTenThousandRunsLoseNoWork() {
        let pool = ThreadPool(threads: 2)
        let counters = Counters(1)
        let runs = 10_000
        for _ in 0..<runs {
            pool.run { thread, _ in counters.add(0, thread + 1) }
        }
        XCTAssertEqual(counters[0], runs * 3)
    }

    /// Workers park after spinning a few milliseconds without work; the next run must wake them all.
    func testParkedWorkersWakeForTheNextRun() {
        let pool = ThreadPool(threads: 3)
        for round in 1...4 {
            usleep(50_000)
            let counters = Counters(3)
            // a worker that sleeps through the wake-up would hang `run`: wait for it on another thread
            let done = DispatchSemaphore(value: 0)
            DispatchQueue.global().async {
                pool.run { thread, _ in counters.add(thread) }
                // and straight after, while they spin again
                pool.run { thread, _ in counters.add(thread) }
                done.signal()
            }
            guard done.wait(timeout: .now() + 10) == .success else {
                return XCTFail("round \(round): parked workers did not wake")
            }
            XCTAssertEqual([counters[0], counters[1], counters[2]], [2, 2, 2], "round \(round)")
        }
    }

    /// Parked workers cost no processor time: an idle pool must not spin between commands.
    func testIdleWorkersStopSpinning() {
        let pool = ThreadPool(threads: 3)
        pool.run { _, _ in }
        usleep(100_000)  // long enough to park
        let before = processorSeconds()
        usleep(200_000)
        let idle = processorSeconds() - before
        // two spinning workers would use up to 0.4 s of processor time here
        XCTAssertLessThan(idle, 0.05, "an idle pool used \(idle) s of processor time in 0.2 s")
        withExtendedLifetime(pool) {}
    }

    /// Dropping a pool stops and joins its workers, whether they are spinning, parked or never ran a job.
    func testDroppedPoolsJoinTheirThreads() {
        let threadsBefore = threadCount()
        do {
            let alive = ThreadPool(threads: 3)
            // workers name themselves as they start
            for _ in 0..<200 where threadCount() < threadsBefore + 2 { usleep(5_000) }
            XCTAssertEqual(threadCount(), threadsBefore + 2, "a live pool's workers are counted")
            withExtendedLifetime(alive) {}
        }
        for index in 0..<60 {
            let pool = ThreadPool(threads: 3)
            switch index % 3 {
            case 0: break
            case 1: pool.run { _, _ in }
            default:
                pool.run { _, _ in }
                if index % 12 == 2 { usleep(20_000) }  // some of them parked
            }
        }
        #if os(Linux)
            XCTAssertEqual(threadCount(), threadsBefore, "threads left behind by dropped pools")
        #endif
    }

    // MARK: process measurements

    func processorSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }

    /// The process's live threads (Linux): a joined thread is gone from the list.
    /// The pool workers alive in this process, by their thread name: other threads (the test runner's, the
    /// concurrency runtime's) come and go on their own.
    func threadCount() -> Int {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        return tasks.filter { task in
            let name = try? String(contentsOfFile: "/proc/self/task/\(task)/comm", encoding: .utf8)
            return name?.trimmingCharacters(in: .whitespacesAndNewlines) == ThreadPool.workerThreadName
        }.count
    }
}
