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

    @Argument(help: "The command, e.g. \"dim the bedroom lamp to 30%\". Default: one per line from standard input.")
    var text: String?

    @OptionGroup var interpreterOptions: InterpreterOptions

    @Flag(name: .long, help: "Print one JSON object per command.")
    var json = false

    @Option(name: .long, help: "Escalate to the cloud per the cloud section of this config file (policy applies).")
    var cloudConfig: String?

    func run() throws {
        let interpreter = try interpreterOptions.makeInterpreter()
        let cloud = try cloudConfig.map { try CloudAsk(configPath: $0, catalog: interpreter.catalog) }
        defer { cloud?.shutdown() }
        func answer(_ text: String) throws -> Interpretation {
            let local = interpreter.interpret(text)
            return try cloud?.escalate(text, local: local) ?? local
        }
        if let text {
            try show(answer(text))
            return
        }
        while let line = readLine() {
            let command = line.trimmedWhitespace
            if command.isEmpty { continue }
            try show(answer(command))
        }
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
