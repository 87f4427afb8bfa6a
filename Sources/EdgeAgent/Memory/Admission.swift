import SLM

/// The process exit code of a refusal to start for lack of memory: `EX_TEMPFAIL` of sysexits.h, distinct from
/// argument errors (64) and other failures (1). The systemd unit lists it in `RestartPreventExitStatus=`, so a
/// refusal is not retried in a loop.
public let memoryRefusalExitCode: Int32 = 75

/// The decision before loading a model: run it as asked, run it with a shorter context, or refuse.
public enum AdmissionVerdict: Sendable, Equatable {
    case fits(MemoryEstimate)
    case shrunk(MemoryEstimate, requestedContext: Int, reason: String)
    case refused(MemoryEstimate, message: String)

    /// The estimate the model would run with (the requested one when refused).
    public var estimate: MemoryEstimate {
        switch self {
        case .fits(let estimate), .shrunk(let estimate, _, _), .refused(let estimate, _): estimate
        }
    }

    public var name: String {
        switch self {
        case .fits: "ok"
        case .shrunk: "shrink"
        case .refused: "refuse"
        }
    }
}

/// Admission before loading: model bytes + KV cache + scratch + the agent's baseline must fit the budget.
public enum Admission {
    /// Contexts are chosen in steps of this many tokens.
    public static let contextStep = 256

    public static func decide(
        config: ModelConfig, modelBytes: Int, contextLength: Int, threads: Int, budget: MemoryBudget,
        baselineBytes: Int = MemoryEstimate.agentBaselineBytes
    ) -> AdmissionVerdict {
        func estimate(_ context: Int) -> MemoryEstimate {
            MemoryEstimate(
                config: config, modelBytes: modelBytes, contextLength: context, threads: threads,
                baselineBytes: baselineBytes)
        }
        let requested = estimate(contextLength)
        if requested.totalBytes <= budget.bytes { return .fits(requested) }

        // The total grows linearly with the context: solve for the largest multiple of the step that fits.
        let fixed = estimate(0).totalBytes
        let perToken = MemoryEstimate.bytesPerToken(config: config, threads: threads)
        let largest = budget.bytes > fixed ? (budget.bytes - fixed) / perToken / contextStep * contextStep : 0
        if largest >= contextStep && largest < contextLength {
            let reason =
                "\(mb(requested.totalBytes)) MB for \(contextLength) tokens exceeds the budget of "
                + "\(mb(budget.bytes)) MB (\(budget.binding.source.rawValue)); \(largest) tokens need "
                + "\(mb(estimate(largest).totalBytes)) MB"
            return .shrunk(estimate(largest), requestedContext: contextLength, reason: reason)
        }
        return .refused(requested, message: refusal(requested, budget: budget, minimum: estimate(contextStep)))
    }

    static func refusal(_ e: MemoryEstimate, budget: MemoryBudget, minimum: MemoryEstimate) -> String {
        var lines = [
            "not enough memory to run the model: it needs \(mb(e.totalBytes)) MB, the budget is \(mb(budget.bytes)) MB",
            "  model file  \(mb(e.modelBytes)) MB",
            "  KV cache    \(mb(e.kvCacheBytes)) MB (\(e.contextLength) tokens)",
            "  scratch     \(mb(e.scratchBytes)) MB",
            "  baseline    \(mb(e.baselineBytes)) MB",
            "  budget      \(mb(budget.bytes)) MB = \(mb(budget.binding.bytes)) MB from the "
                + budget.binding.source.rawValue
                + " - \(mb(budget.reserveBytes)) MB reserve",
            "even the shortest context (\(minimum.contextLength) tokens) needs \(mb(minimum.totalBytes)) MB; to run:",
            "  - a smaller model (--model), whose file is at most "
                + "\(mb(max(0, budget.bytes - (minimum.totalBytes - minimum.modelBytes)))) MB",
            "  - or a larger budget: \(budget.binding.source.remedy)",
        ]
        if budget.reserveBytes > 0 { lines.append("  - or a smaller reserve (reserve_mb)") }
        return lines.joined(separator: "\n")
    }
}

/// Mebibytes with one decimal, as the CLI prints every memory figure.
public func mb(_ bytes: Int) -> String {
    let tenths = (bytes * 10 + 512 * 1024) / (1024 * 1024)
    return "\(tenths / 10).\(tenths % 10)"
}
