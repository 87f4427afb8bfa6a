/// One look at memory, taken on a timer: the process's RSS, the machine's `MemAvailable` and, where the kernel has
/// it, pressure stall information.
public struct MemoryReading: Sendable, Equatable {
    public var residentBytes: Int
    public var availableBytes: Int?
    public var pressure: MemoryPressure?

    public init(residentBytes: Int, availableBytes: Int? = nil, pressure: MemoryPressure? = nil) {
        self.residentBytes = residentBytes
        self.availableBytes = availableBytes
        self.pressure = pressure
    }
}

/// Where the soft and hard marks lie. A reading is over a mark when any of its figures is.
public struct MemoryMarks: Sendable, Equatable {
    public var softResidentBytes: Int
    public var hardResidentBytes: Int
    /// The machine is short when `MemAvailable` falls below these, whatever this process uses.
    public var softAvailableBytes: Int
    public var hardAvailableBytes: Int
    /// PSI `some avg10` (percent) for the soft mark, `full avg10` for the hard one.
    public var softPressureSome: Double
    public var hardPressureFull: Double

    public init(
        softResidentBytes: Int, hardResidentBytes: Int, softAvailableBytes: Int, hardAvailableBytes: Int,
        softPressureSome: Double, hardPressureFull: Double
    ) {
        precondition(softResidentBytes <= hardResidentBytes && hardAvailableBytes <= softAvailableBytes)
        self.softResidentBytes = softResidentBytes
        self.hardResidentBytes = hardResidentBytes
        self.softAvailableBytes = softAvailableBytes
        self.hardAvailableBytes = hardAvailableBytes
        self.softPressureSome = softPressureSome
        self.hardPressureFull = hardPressureFull
    }

    /// Soft at 85 % of the budget, hard at 95 %; the machine short below 64 MB / 32 MB available; pressure when
    /// some task stalled 10 % of the last 10 s, or all tasks 5 %.
    public init(budgetBytes: Int) {
        self.init(
            softResidentBytes: budgetBytes / 100 * 85, hardResidentBytes: budgetBytes / 100 * 95,
            softAvailableBytes: 64 << 20, hardAvailableBytes: 32 << 20, softPressureSome: 10, hardPressureFull: 5)
    }
}

/// The runtime side of the memory guard: a state machine fed readings, returning what the agent must do. Pure: the
/// service around it reads /proc on a timer and performs the actions.
///
/// normal → soft (a figure over a soft mark): shrink caches and reject new generation work with reason `memory`
/// (the fast path keeps serving, the cloud takes what policy allows). → hard (over a hard mark): also cancel the
/// generation in flight. Back to normal only once every figure is below its soft mark again, so a reading between
/// the marks keeps the agent where it is.
public struct MemoryGuard: Sendable {
    public enum Level: String, Sendable, Codable, Comparable {
        case normal, soft, hard

        public static func < (a: Level, b: Level) -> Bool { a.rank < b.rank }
        var rank: Int {
            switch self {
            case .normal: 0
            case .soft: 1
            case .hard: 2
            }
        }
    }

    public enum RejectionReason: String, Sendable { case memory }

    public enum Action: Sendable, Equatable {
        case logTransition(from: Level, to: Level, cause: String)
        case shrinkCaches
        case rejectGenerationWork(reason: RejectionReason)
        case cancelGeneration(reason: RejectionReason)
        case acceptAgain
    }

    public let marks: MemoryMarks
    public private(set) var level: Level = .normal

    public init(marks: MemoryMarks) { self.marks = marks }

    public mutating func event(_ reading: MemoryReading) -> [Action] {
        let (observed, cause) = classify(reading)
        let next: Level
        switch (level, observed) {
        case (_, .hard): next = .hard
        case (.hard, .soft): next = .hard  // hysteresis: leave hard only below the soft mark
        case (_, .soft): next = .soft
        case (_, .normal): next = .normal
        }
        guard next != level else { return [] }
        let previous = level
        level = next
        var actions: [Action] = [.logTransition(from: previous, to: next, cause: cause)]
        switch (previous, next) {
        case (.normal, .soft): actions += [.shrinkCaches, .rejectGenerationWork(reason: .memory)]
        case (.normal, .hard):
            actions += [.shrinkCaches, .rejectGenerationWork(reason: .memory), .cancelGeneration(reason: .memory)]
        case (.soft, .hard): actions += [.shrinkCaches, .cancelGeneration(reason: .memory)]
        case (_, .normal): actions.append(.acceptAgain)
        default: break
        }
        return actions
    }

    /// The highest mark a reading crosses, and which figure crossed it.
    func classify(_ r: MemoryReading) -> (Level, String) {
        let m = marks
        if r.residentBytes >= m.hardResidentBytes {
            return (.hard, "RSS \(mb(r.residentBytes)) MB ≥ hard mark \(mb(m.hardResidentBytes)) MB")
        }
        if let available = r.availableBytes, available <= m.hardAvailableBytes {
            return (.hard, "MemAvailable \(mb(available)) MB ≤ \(mb(m.hardAvailableBytes)) MB")
        }
        if let full = r.pressure?.fullAverage10, full >= m.hardPressureFull {
            return (.hard, "memory pressure full avg10 \(full) % ≥ \(m.hardPressureFull) %")
        }
        if r.residentBytes >= m.softResidentBytes {
            return (.soft, "RSS \(mb(r.residentBytes)) MB ≥ soft mark \(mb(m.softResidentBytes)) MB")
        }
        if let available = r.availableBytes, available <= m.softAvailableBytes {
            return (.soft, "MemAvailable \(mb(available)) MB ≤ \(mb(m.softAvailableBytes)) MB")
        }
        if let some = r.pressure?.someAverage10, some >= m.softPressureSome {
            return (.soft, "memory pressure some avg10 \(some) % ≥ \(m.softPressureSome) %")
        }
        return (.normal, "RSS \(mb(r.residentBytes)) MB, every figure below its soft mark")
    }
}
