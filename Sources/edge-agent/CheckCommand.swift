import ArgumentParser
import EdgeAgent

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Prints the memory budget arithmetic and whether the model fits, without loading it.",
        discussion: """
            Exit status: 0 when the model fits (ok) or fits with a shorter context (shrink), \
            \(memoryRefusalExitCode) when it does not fit at all (refuse), 1 for other errors.
            """)

    @Option(name: .long, help: "A board profile name. Default: detected from the device tree or DMI.")
    var board: String?

    @Option(name: .long, help: "A model name from the manifest, or the path of a GGUF file. Default: the board's.")
    var model: String?

    @Option(name: .long, help: "Context length in tokens. Default: the board's.")
    var context: Int?

    @Option(name: .long, help: "A memory budget in MB (the configured value), on top of the board's and the cgroup's.")
    var budgetMb: Int?

    @Flag(name: .long, help: "Print one JSON object.")
    var json = false

    @Option(name: .long, help: .hidden)
    var systemRoot = ""

    struct Report: Encodable {
        struct Limit: Encodable {
            var source: String
            var mb: Double
        }
        var board: String
        var boardChosenBy: String
        var model: String
        var threads: Int
        var limits: [Limit]
        var reserveMb: Double
        var budgetMb: Double
        var budgetSource: String
        var contextLength: Int
        var modelMb: Double
        var kvCacheMb: Double
        var scratchMb: Double
        var baselineMb: Double
        var totalMb: Double
        var verdict: String
        var requestedContextLength: Int?
        var message: String?
    }

    func validate() throws {
        if let context, context < 1 { throw ValidationError("--context must be positive, got \(context)") }
        if let budgetMb, budgetMb < 1 { throw ValidationError("--budget-mb must be positive, got \(budgetMb)") }
    }

    func run() throws {
        let store = BoardProfileStore()
        let profile = try board.map { try store.profile(named: $0) } ?? store.detect(root: systemRoot)
        let check = try MemoryCheck(
            board: profile, model: model, contextLength: context, budgetBytes: budgetMb.map { $0 << 20 },
            root: systemRoot)
        let estimate = check.verdict.estimate
        func megabytes(_ bytes: Int) -> Double { rounded(Double(bytes) / 1_048_576) }
        if json {
            var report = Report(
                board: profile.name, boardChosenBy: board == nil ? "detection" : "--board", model: check.modelPath,
                threads: check.threads,
                limits: check.budget.limits.map { Report.Limit(source: $0.source.rawValue, mb: megabytes($0.bytes)) },
                reserveMb: megabytes(check.budget.reserveBytes), budgetMb: megabytes(check.budget.bytes),
                budgetSource: check.budget.binding.source.rawValue, contextLength: estimate.contextLength,
                modelMb: megabytes(estimate.modelBytes), kvCacheMb: megabytes(estimate.kvCacheBytes),
                scratchMb: megabytes(estimate.scratchBytes), baselineMb: megabytes(estimate.baselineBytes),
                totalMb: megabytes(estimate.totalBytes), verdict: check.verdict.name)
            switch check.verdict {
            case .fits: break
            case .shrunk(_, let requested, let reason):
                report.requestedContextLength = requested
                report.message = reason
            case .refused(_, let message): report.message = message
            }
            try printJSON(report)
        } else {
            print(
                "board       \(profile.name): \(profile.description), \(profile.ramMB) MB RAM "
                    + "(\(board == nil ? "detected" : "--board"))")
            print("model       \(check.modelPath)")
            print("threads     \(check.threads)")
            print(
                "limits      "
                    + check.budget.limits.map { "\($0.source.rawValue) \(mb($0.bytes)) MB" }
                    .joined(separator: ", "))
            for line in check.arithmeticLines { print(line) }
            print("verdict     " + check.verdictLine)
        }
        if case .refused = check.verdict { throw ExitCode(memoryRefusalExitCode) }
    }
}
