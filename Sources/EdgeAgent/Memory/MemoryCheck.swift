import SLM

/// What `edge-agent check` computes: the budget, the model's terms at the asked context and the verdict, from the
/// GGUF header alone (the weights are not touched).
public struct MemoryCheck: Sendable {
    public var board: BoardProfile
    public var modelPath: String
    public var config: ModelConfig
    public var threads: Int
    public var budget: MemoryBudget
    public var verdict: AdmissionVerdict

    /// `root` is where /proc and /sys are read (tests point it at fixture trees, or at an empty directory to leave
    /// out the machine's own limits).
    public init(
        board: BoardProfile, model: String? = nil, contextLength: Int? = nil, threads: Int? = nil,
        budgetBytes: Int? = nil, root: String = "", store: ModelStore = ModelStore()
    ) throws {
        self.board = board
        modelPath = try store.resolve(model ?? board.model)
        let file = try GGUFFile(path: modelPath)
        config = try ModelConfig(gguf: file)
        let modelBytes = file.map.bytes.count
        self.threads = threads ?? board.threads
        let context = contextLength ?? board.contextLength
        guard context > 0 && context <= config.trainedContextLength else {
            throw SessionError.invalidContextLength(context, trained: config.trainedContextLength)
        }
        guard
            let budget = try MemoryBudget.measure(
                configBytes: budgetBytes, boardProfileBytes: board.memoryLimitBytes, reserveBytes: board.reserveBytes,
                root: root)
        else { preconditionFailure("the board profile always gives a limit") }
        self.budget = budget
        verdict = Admission.decide(
            config: config, modelBytes: modelBytes, contextLength: context, threads: self.threads, budget: budget)
    }

    /// The term-by-term lines that board profiles quote in their comment block.
    public var arithmeticLines: [String] {
        let e = verdict.estimate
        return [
            "model file  \(pad(e.modelBytes)) MB",
            "KV cache    \(pad(e.kvCacheBytes)) MB  (\(e.contextLength) tokens × \(config.layerCount) layers × 2 × "
                + "\(config.kvDimension) × 2 B)",
            "scratch     \(pad(e.scratchBytes)) MB  (batch of \(MemoryEstimate.batchCapacity), \(threads) threads)",
            "baseline    \(pad(e.baselineBytes)) MB",
            "total       \(pad(e.totalBytes)) MB of a \(mb(budget.bytes)) MB budget "
                + "(\(mb(budget.binding.bytes)) MB \(budget.binding.source.rawValue) - "
                + "\(mb(budget.reserveBytes)) MB reserve)"
                + ", \(board.ramMB) MB RAM",
        ]
    }

    /// The context asked for, before any shortening.
    public var requestedContextLength: Int {
        if case .shrunk(_, let requested, _) = verdict { requested } else { verdict.estimate.contextLength }
    }

    public var verdictLine: String {
        switch verdict {
        case .fits: "ok"
        case .shrunk(let estimate, let requested, let reason):
            "shrink the context from \(requested) to \(estimate.contextLength) tokens: \(reason)"
        case .refused(_, let message): "refuse: " + message
        }
    }

    private func pad(_ bytes: Int) -> String {
        let text = mb(bytes)
        return String(repeating: " ", count: max(0, 7 - text.count)) + text
    }
}
