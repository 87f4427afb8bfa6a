import Logging
import Synchronization

/// The running agent's side of the memory guard: the telemetry timer feeds it readings, it logs every transition,
/// and work that needs the language model asks it first. The rules fast path never asks: it keeps serving at any
/// level. Thread-safe.
public final class MemoryGate: Sendable {
    private let guardState: Mutex<MemoryGuard>
    private let logger: Logger

    public init(marks: MemoryMarks, logger: Logger) {
        guardState = Mutex(MemoryGuard(marks: marks))
        self.logger = logger
    }

    public var level: MemoryGuard.Level { guardState.withLock { $0.level } }

    /// Feeds one reading; returns the guard's actions, already logged.
    @discardableResult
    public func observe(_ reading: MemoryReading) -> [MemoryGuard.Action] {
        let actions = guardState.withLock { $0.event(reading) }
        for action in actions {
            if case .logTransition(let from, let to, let cause) = action {
                logger.info(
                    "Memory guard transition",
                    metadata: [
                        "memory.from": "\(from.rawValue)", "memory.to": "\(to.rawValue)", "memory.cause": "\(cause)",
                    ])
            }
        }
        return actions
    }

    /// For the language-model path, before it starts: nil to go ahead, else the `rejected` answer (reason
    /// `memory`) to give instead. Above the soft mark no new generation starts.
    public func rejectionForModelWork(id: String?) -> Interpretation? {
        guard level >= .soft else { return nil }
        return Interpretation(
            id: id, status: .rejected, intents: [], actions: [], queried: [], via: "slm", confidence: 0,
            latencyMs: 0, reason: "memory", candidates: [])
    }

    /// Reads RSS, `MemAvailable` and PSI from the machine; figures the kernel does not offer are left out.
    public static func readMachine() -> MemoryReading? {
        guard let resident = try? ResidentMemory.bytes() else { return nil }
        let available = (try? MemInfo())?.availableBytes
        let pressure = (try? MemoryPressure.read()) ?? nil
        return MemoryReading(residentBytes: resident, availableBytes: available, pressure: pressure)
    }
}
