import ArgumentParser
import EdgeAgent

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

struct AskCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ask",
        abstract: "Interprets a free-form command and prints the validated device actions (nothing is published).",
        discussion: """
            With no TEXT, reads commands from standard input, one per line, and prints one result per line. \
            Status is ok, ambiguous (with candidates), unrecognized or rejected (with the reason). \
            What the fast-path matcher cannot decide goes to the local model (via "slm"): the default model when it \
            has been fetched (Models/fetch.sh), or --model; --rules-only never loads one.
            """)

    static let defaultCatalogs = ["Board/catalog/home.yaml", "/etc/edge-agent/catalog.yaml"]

    @Argument(help: "The command, e.g. \"dim the bedroom lamp to 30%\". Default: one per line from standard input.")
    var text: String?

    @Option(name: .long, help: "The catalog YAML. Default: Board/catalog/home.yaml, else /etc/edge-agent/catalog.yaml.")
    var catalog: String?

    @Flag(name: .long, help: "Print one JSON object per command.")
    var json = false

    @Option(name: .long, help: "The model for what the matcher cannot decide: a manifest name or a GGUF path. Default: the manifest's default model, if fetched.")
    var model: String?

    @Flag(name: [.customLong("rules-only"), .customLong("no-slm")], help: "The fast-path matcher only; no model is loaded.")
    var rulesOnly = false

    @Flag(name: .long, help: "Send every command to the model, skipping the matcher (for comparing the two).")
    var noFastPath = false

    @Option(name: .long, help: "Worker threads for the model. Default: the number of cores.")
    var threads: Int?

    @Flag(name: .long, help: "Do not read or write the evaluated prompt prefix on disk.")
    var noPrefixCache = false

    func validate() throws {
        if rulesOnly && (model != nil || noFastPath) {
            throw ValidationError("--rules-only excludes --model and --no-fast-path")
        }
        if let threads, threads < 1 || threads > 256 {
            throw ValidationError("--threads must be between 1 and 256, got \(threads)")
        }
    }

    func run() throws {
        let catalog = try loadCatalog()
        let interpreter = Interpreter(catalog: catalog, model: try loadModel(catalog), fastPath: !noFastPath)
        if let text {
            try show(interpreter.interpret(text))
            return
        }
        while let line = readLine() {
            let command = line.trimmingCharacters(in: .whitespaces)
            if command.isEmpty { continue }
            try show(interpreter.interpret(command))
        }
    }

    /// The model named, else the default one if it is in the cache; nil for rules only.
    func loadModel(_ catalog: Catalog) throws -> SLMInterpreter? {
        if rulesOnly { return nil }
        if model == nil {
            do {
                _ = try ModelStore().resolve(nil)
            } catch {
                if noFastPath { throw ValidationError("--no-fast-path needs a model: \(error)") }
                PrefixCache.logToStandardError("rules only (\(error))")
                return nil
            }
        }
        var options = SLMInterpreter.Options()
        if noPrefixCache { options.prefixCache = nil }
        return try SLMInterpreter(catalog: catalog, model: LocalModel(model, threads: threads), options: options)
    }

    func loadCatalog() throws -> Catalog {
        if let catalog { return try Catalog(contentsOf: catalog) }
        for path in Self.defaultCatalogs where FileManager.default.fileExists(atPath: path) {
            return try Catalog(contentsOf: path)
        }
        throw ValidationError(
            "no catalog: tried \(Self.defaultCatalogs.joined(separator: " and ")); give one with --catalog FILE")
    }

    func show(_ result: Interpretation) throws {
        if json {
            try printJSON(result)
            return
        }
        var line = result.status.rawValue
        if !result.intents.isEmpty { line += " " + result.intents.joined(separator: ",") }
        for action in result.actions { line += "\n  \(action.topic) \(action.payload)" }
        if !result.queried.isEmpty { line += "\n  state of \(result.queried.joined(separator: ", "))" }
        if !result.candidates.isEmpty { line += "\n  candidates: \(result.candidates.joined(separator: ", "))" }
        if let reason = result.reason { line += "\n  reason: \(reason)" }
        line += "\n  confidence \(rounded(result.confidence, 2)), \(rounded(result.latencyMs, 3)) ms"
        print(line)
    }
}
