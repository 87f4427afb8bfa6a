import ArgumentParser
import EdgeAgent

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Prints the memory budget arithmetic and whether the model fits, without loading it.",
        discussion: """
            With --config, the agent config's board, model, context, threads and memory_budget_mb are used as \
            `run` uses them (the options override them), and a bad config is refused as `run` refuses it. \
            Exit status: 0 when the model fits (ok) or fits with a shorter context (shrink), or when the config \
            does not load the model; \(memoryRefusalExitCode) when it does not fit at all (refuse); \
            \(RunCommand.badConfigExitCode) for a bad config; 1 for other errors.
            """)

    @Option(name: .long, help: "The agent's YAML config, as `edge-agent run --config` reads it.")
    var config: String?

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

    /// Where each input of the arithmetic came from.
    struct Sources: Encodable {
        var board: String
        var model: String
        var context: String
        var threads: String
        var budget: String?
    }

    struct Report: Encodable {
        struct Limit: Encodable {
            var source: String
            var mb: Double
        }
        var board: String
        var boardChosenBy: String
        var config: String?
        var sources: Sources
        /// False when the config leaves the language model off: `run` loads no model, whatever the verdict.
        var modelLoaded: Bool
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
        var settings: AgentConfig?
        if let config {
            do {
                settings = try AgentConfigLoader.load(contentsOf: config)
            } catch {
                writeError(error.description)
                throw ExitCode(RunCommand.badConfigExitCode)
            }
        }
        let store = BoardProfileStore()
        let boardName = board ?? settings?.agent.board
        let profile = try boardName.map { try store.profile(named: $0) } ?? store.detect(root: systemRoot)
        let check: MemoryCheck
        if var settings {
            // The options override the file, then the arithmetic is the one `run` makes at start.
            settings.model.name = model ?? settings.model.name
            settings.model.context = context ?? settings.model.context
            settings.limits.memoryBudgetMB = budgetMb ?? settings.limits.memoryBudgetMB
            check = try AgentRuntime.memoryCheck(config: settings, board: profile, root: systemRoot)
        } else {
            check = try MemoryCheck(
                board: profile, model: model, contextLength: context, budgetBytes: budgetMb.map { $0 << 20 },
                root: systemRoot)
        }
        let sources = Sources(
            board: source("--board", board, settings?.agent.board, otherwise: "detected"),
            model: source("--model", model, settings?.model.name, otherwise: "board profile"),
            context: source(
                "--context", context, settings?.model.context,
                otherwise: settings == nil ? "board profile" : "run's default"),
            threads: source("", Int?.none, settings?.model.threads, otherwise: "board profile"),
            budget: budgetMb == nil && settings?.limits.memoryBudgetMB == nil
                ? nil : source("--budget-mb", budgetMb, settings?.limits.memoryBudgetMB, otherwise: ""))
        let modelLoaded = settings?.interpreter.slm ?? true
        let estimate = check.verdict.estimate
        func megabytes(_ bytes: Int) -> Double { rounded(Double(bytes) / 1_048_576) }
        if json {
            var report = Report(
                board: profile.name, boardChosenBy: boardName == nil ? "detection" : sources.board, config: config,
                sources: sources,
                modelLoaded: modelLoaded, model: check.modelPath,
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
            print("board       \(profile.name): \(profile.description), \(profile.ramMB) MB RAM (\(sources.board))")
            if let config { print("config      \(config)") }
            print("model       \(check.modelPath) (\(sources.model))")
            print("threads     \(check.threads) (\(sources.threads))")
            print("context     \(check.requestedContextLength) tokens (\(sources.context))")
            if let budget = sources.budget, let limit = check.budget.limits.first(where: { $0.source == .config }) {
                print("configured  \(mb(limit.bytes)) MB budget (\(budget))")
            }
            print(
                "limits      "
                    + check.budget.limits.map { "\($0.source.rawValue) \(mb($0.bytes)) MB" }
                    .joined(separator: ", "))
            for line in check.arithmeticLines { print(line) }
            print("verdict     " + check.verdictLine)
            if !modelLoaded { print("note        interpreter.slm is off in the config: run loads no model") }
        }
        if case .refused = check.verdict, modelLoaded { throw ExitCode(memoryRefusalExitCode) }
    }

    /// `option` when it was given, else "config file" when the config gave the value, else `otherwise`.
    private func source<Flag, Value>(_ option: String, _ flag: Flag?, _ configured: Value?, otherwise: String) -> String
    {
        if flag != nil { return option }
        return configured != nil ? "config file" : otherwise
    }
}
