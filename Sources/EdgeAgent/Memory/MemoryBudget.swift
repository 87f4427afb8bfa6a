/// How many bytes the agent may use: the smallest of the configured value, the board profile's, the cgroup limit
/// and the machine's RAM, less a reserve for the rest of the system. It remembers which limit won, so a refusal can
/// say what to change.
public struct MemoryBudget: Sendable, Equatable {
    /// Where a limit comes from.
    public enum Source: String, Sendable, Codable, CaseIterable {
        case config
        case boardProfile = "board profile"
        case cgroup
        case physicalMemory = "MemTotal"

        /// What a user changes to raise this limit.
        public var remedy: String {
            switch self {
            case .config: "raise the configured budget (memory_budget_mb in the agent config, or --budget-mb)"
            case .boardProfile: "raise memory_limit_mb in the board profile, or pick another board (--board)"
            case .cgroup: "raise the cgroup limit (MemoryMax= in the systemd unit, or the container's memory limit)"
            case .physicalMemory: "use a board with more RAM"
            }
        }
    }

    public struct Limit: Sendable, Equatable {
        public var source: Source
        public var bytes: Int

        public init(_ source: Source, bytes: Int) {
            self.source = source
            self.bytes = bytes
        }
    }

    /// Every limit that was known, in the order of `Source`.
    public let limits: [Limit]
    /// The smallest limit (the first of equal ones).
    public let binding: Limit
    public let reserveBytes: Int

    /// What the agent may use: the binding limit less the reserve, never negative.
    public var bytes: Int { max(0, binding.bytes - reserveBytes) }

    /// nil when no limit is known at all.
    public init?(limits: [Limit], reserveBytes: Int) {
        let known = limits.sorted {
            Source.allCases.firstIndex(of: $0.source)! < Source.allCases.firstIndex(of: $1.source)!
        }
        guard let smallest = known.min(by: { $0.bytes < $1.bytes }) else { return nil }
        self.limits = known
        binding = smallest
        self.reserveBytes = max(0, reserveBytes)
    }

    /// The budget from what is configured and what this machine (under `root`) reports.
    public static func measure(
        configBytes: Int?, boardProfileBytes: Int?, reserveBytes: Int, root: String = ""
    ) throws -> MemoryBudget? {
        var limits: [Limit] = []
        if let configBytes { limits.append(Limit(.config, bytes: configBytes)) }
        if let boardProfileBytes { limits.append(Limit(.boardProfile, bytes: boardProfileBytes)) }
        if let cgroup = try CgroupMemory.read(root: root)?.limitBytes { limits.append(Limit(.cgroup, bytes: cgroup)) }
        if readKernelFile(root + "/proc/meminfo") != nil {
            limits.append(Limit(.physicalMemory, bytes: try MemInfo(root: root).totalBytes))
        }
        return MemoryBudget(limits: limits, reserveBytes: reserveBytes)
    }
}
