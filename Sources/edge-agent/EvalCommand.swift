import ArgumentParser
import EdgeAgent

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Scores the interpreter on a labelled set of commands (JSON Lines) and prints the figures.",
        discussion: """
            Each line: {"text": "...", "expected": {"status"?, "actions": [{"intent", "devices", "value"?, "unit"?, \
            "color"?}]}, "tags"?: [...]}. Prints exact match of intents and slots (overall, device commands, \
            questions, the rest), false actuations (an action for a text whose label publishes none), per intent, \
            per tag, and latency. See Tests/LabelledSet/README.md.
            """)

    @Argument(help: "The labelled set, one JSON object per line.")
    var file: String

    @OptionGroup var interpreterOptions: InterpreterOptions

    @Flag(name: .long, help: "Print the report as one JSON object.")
    var json = false

    @Flag(name: .long, help: "After the figures, list every command that was not an exact match, with what came out.")
    var misses = false

    func run() throws {
        let commands: [LabelledCommand]
        do {
            commands = try LabelledCommand.load(contentsOf: file)
        } catch {
            throw ValidationError(error.description)
        }
        let interpreter = try interpreterOptions.makeInterpreter()
        if let slm = interpreter.model {
            let startup = slm.startup
            PrefixCache.logToStandardError(
                "model \(slm.model.path): \(slm.format) prompt, prefix \(startup.prefixTokens) tokens "
                    + (startup.restoredFromDisk ? "restored from disk" : "evaluated")
                    + " in \(rounded(startup.seconds * 1000)) ms")
        }
        var evaluation = Evaluation()
        for command in commands { evaluation.add(command, interpreter.interpret(command.text)) }
        let report = evaluation.report
        if json {
            try printJSON(report)
        } else {
            print(Self.table(report))
        }
        if misses {
            for outcome in evaluation.outcomes where !outcome.exact {
                let got = outcome.result
                var line = "miss: \(outcome.command.text)\n  want \(outcome.command.category)"
                line += " " + outcome.command.expected.actions.map { Self.describe($0) }.joined(separator: "; ")
                line += "\n  got  \(got.status.rawValue) via \(got.via) "
                line += got.resolved.map { Self.describe($0) }.joined(separator: "; ")
                if let reason = got.reason { line += " (\(reason))" }
                if outcome.falseActuation || outcome.wrongActuation { line += "\n  ACTUATED" }
                print(line)
            }
        }
    }

    static func describe(_ action: Action) -> String {
        var text = action.intent.rawValue
        if !action.devices.isEmpty { text += " [" + action.devices.sorted().joined(separator: ",") + "]" }
        if let value = action.value { text += " \(value)" }
        if let unit = action.unit { text += " \(unit.rawValue)" }
        if let color = action.color { text += " \(color)" }
        return text
    }

    static func table(_ report: Evaluation.Report) -> String {
        func row(_ name: String, _ share: Evaluation.Share) -> String {
            func pad(_ text: String, _ width: Int) -> String {
                text + String(repeating: " ", count: max(0, width - text.count))
            }
            let label = pad(name, 30)
            let count = pad("\(share.hits)/\(share.total)", 10)
            return "\(label)\(count)\(rounded(share.rate * 100)) %"
        }
        var lines = [
            "commands: \(report.commands)",
            row("exact match", report.exact),
            row("  device commands", report.deviceCommands),
            row("  questions", report.questions),
            row("  publishing nothing", report.nonCommands),
            row("false actuations", report.falseActuations),
            "wrong actuations              \(report.wrongActuations)",
            "via                           "
                + report.via.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "),
            "latency ms                    p50 \(report.latencyMs.p50)  p95 \(report.latencyMs.p95)  "
                + "max \(report.latencyMs.max)",
        ]
        for (via, latency) in report.latencyMsByVia.sorted(by: { $0.key < $1.key }) {
            lines.append(
                "  via \(via)" + String(repeating: " ", count: max(0, 24 - via.count))
                    + "p50 \(latency.p50)  p95 \(latency.p95)  max \(latency.max)")
        }
        lines += [
            "per intent",
        ]
        lines += report.perIntent.sorted { $0.key < $1.key }.map { row("  " + $0.key, $0.value) }
        lines.append("per tag")
        lines += report.perTag.sorted { $0.key < $1.key }.map { row("  " + $0.key, $0.value) }
        return lines.joined(separator: "\n")
    }
}
