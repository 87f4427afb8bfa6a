import Synchronization

/// What the telemetry reports about the commands handled: counts by status and by path (`via`), and the latency
/// percentiles over the most recent commands (message in → results published). Thread-safe.
public final class AgentMetrics: Sendable {
    /// Latencies kept for the percentiles: the most recent ones, so the figures follow the present load.
    static let window = 1024

    private struct Counts {
        var byStatus: [String: Int] = [:]
        var byPath: [String: Int] = [:]
        var latencies: [Double] = []
        var next = 0
        var spoolDropped = 0
    }

    private let counts = Mutex(Counts())

    public init() {}

    public func record(_ result: Interpretation, latencyMs: Double) {
        counts.withLock { c in
            c.byStatus[result.status.rawValue, default: 0] += 1
            c.byPath[result.via, default: 0] += 1
            if c.latencies.count < Self.window {
                c.latencies.append(latencyMs)
            } else {
                c.latencies[c.next] = latencyMs
                c.next = (c.next + 1) % Self.window
            }
        }
    }

    public func recordSpoolDrops(_ count: Int) { counts.withLock { $0.spoolDropped += count } }

    public var byStatus: [String: Int] { counts.withLock { $0.byStatus } }
    public var byPath: [String: Int] { counts.withLock { $0.byPath } }
    public var spoolDropped: Int { counts.withLock { $0.spoolDropped } }

    /// The `p`-th percentile (0…100) of the recent latencies, nearest rank; nil before the first command.
    public func latencyPercentile(_ p: Double) -> Double? {
        let sorted = counts.withLock { $0.latencies }.sorted()
        guard !sorted.isEmpty else { return nil }
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
        return sorted[min(sorted.count - 1, max(0, rank - 1))]
    }
}
