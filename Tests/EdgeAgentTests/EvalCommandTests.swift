import Foundation
import XCTest

@testable import EdgeAgent

/// `edge-agent eval`: the scoring rules on hand-made results, the command on a small set, and the project's
/// labelled set through the fast path (the figures must not regress, and nothing may ever actuate wrongly).
final class EvalCommandTests: XCTestCase {
    static let root = AskCommandTests.root
    static let catalog = AskCommandTests.catalog
    static let labelled = root.appendingPathComponent("Tests/LabelledSet/home-commands.jsonl").path
    static let states = root.appendingPathComponent("Tests/LabelledSet/home-states.json").path

    func interpretation(_ status: Interpretation.Status, _ resolved: [Action], published: Bool = true) -> Interpretation {
        var result = Interpretation(
            status: status, intents: [], actions: [], queried: [], via: "rules", confidence: 1, latencyMs: 1, reason: nil,
            candidates: [])
        result.resolved = resolved
        if published {
            result.actions = resolved.flatMap(\.devices).map { .init(device: $0, topic: "t/\($0)", payload: "{}") }
        }
        return result
    }

    func testActionsCompareAsSetsAndOnlyTheSlotsTheLabelStates() {
        let label = LabelledCommand.Expected(actions: [
            Action(.turnOff, devices: ["hall_light", "kitchen_ceiling"])
        ])
        // One action or two, any order: the same.
        XCTAssertTrue(
            Evaluation.matches(
                interpretation(.ok, [Action(.turnOff, devices: ["kitchen_ceiling"]), Action(.turnOff, devices: ["hall_light"])]),
                label))
        XCTAssertFalse(Evaluation.matches(interpretation(.ok, [Action(.turnOff, devices: ["hall_light"])]), label))
        XCTAssertFalse(
            Evaluation.matches(interpretation(.ok, [Action(.turnOn, devices: ["hall_light", "kitchen_ceiling"])]), label))
        let dim = LabelledCommand.Expected(actions: [Action(.lightSet, devices: ["bedroom_lamp"], value: 30)])
        XCTAssertTrue(
            Evaluation.matches(
                interpretation(.ok, [Action(.lightSet, devices: ["bedroom_lamp"], value: 30, unit: .percent)]), dim))
        XCTAssertFalse(
            Evaluation.matches(interpretation(.ok, [Action(.lightSet, devices: ["bedroom_lamp"], value: 40)]), dim))
        XCTAssertTrue(
            Evaluation.matches(interpretation(.ambiguous, [], published: false), .init(status: .ambiguous)))
        XCTAssertFalse(Evaluation.matches(interpretation(.unrecognized, []), dim))
    }

    func testFalseAndWrongActuationsAreCountedApart() {
        var evaluation = Evaluation()
        let chat = LabelledCommand(text: "tell me a joke", expected: .init(actions: [Action(.notACommand)]))
        let lamp = LabelledCommand(
            text: "turn on the bedroom lamp", expected: .init(actions: [Action(.turnOn, devices: ["bedroom_lamp"])]),
            tags: ["direct"])
        evaluation.add(chat, interpretation(.ok, [Action(.turnOn, devices: ["bedroom_lamp"])]))
        evaluation.add(lamp, interpretation(.ok, [Action(.turnOn, devices: ["kids_nightlight"])]))
        evaluation.add(lamp, interpretation(.ok, [Action(.turnOn, devices: ["bedroom_lamp"])]))
        let report = evaluation.report
        XCTAssertEqual(report.commands, 3)
        XCTAssertEqual(report.exact.hits, 1)
        XCTAssertEqual(report.falseActuations.hits, 1)
        XCTAssertEqual(report.falseActuations.total, 1)
        XCTAssertEqual(report.wrongActuations, 1)
        XCTAssertEqual(report.perTag["direct"]?.hits, 1)
        XCTAssertEqual(report.perTag["direct"]?.total, 2)
        XCTAssertEqual(report.perIntent["NotACommand"]?.hits, 0)
    }

    func testBadLinesAreNamedByFileAndLine() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("eval-bad-\(getpid()).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        let lines = [
            #"{"text": "turn on the hall light", "expected": {"actions": [{"intent": "HassTurnOn", "devices": ["hall_light"]}]}}"#,
            #"{"text": "x", "expected": {"actions": [{"intent": "HassFly"}]}}"#,
        ]
        try lines.joined(separator: "\n").write(toFile: file, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try LabelledCommand.load(contentsOf: file)) { error in
            guard case .badLine(_, let line, _) = error as? LabelledSetError else { return XCTFail("\(error)") }
            XCTAssertEqual(line, 2)
        }
        let output = try Program.run([try Program.edgeAgent, "eval", file, "--catalog", Self.catalog])
        XCTAssertNotEqual(output.status, 0)
        XCTAssertTrue(output.stderr.contains(":2:"), output.stderr)
    }

    func testSmallSetThroughTheCommand() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("eval-small-\(getpid()).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        let lines = [
            #"{"text": "turn on the hall light", "expected": {"actions": [{"intent": "HassTurnOn", "devices": ["hall_light"]}]}, "tags": ["direct"]}"#,
            #"{"text": "tell me a joke", "expected": {"actions": [{"intent": "NotACommand"}]}, "tags": ["notcommand"]}"#,
            #"{"text": "turn on the lamp", "expected": {"status": "ambiguous"}}"#,
            #"{"text": "it's too cold in the bedroom", "expected": {"actions": [{"intent": "HassClimateTemperatureUp", "devices": ["upstairs_thermostat"]}]}}"#,
            #"{"text": "dim the bedroom lamp to 30%", "expected": {"actions": [{"intent": "HassLightSet", "devices": ["bedroom_lamp"], "value": 40}]}}"#,
        ]
        try lines.joined(separator: "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let output = try Program.run([
            try Program.edgeAgent, "eval", file, "--catalog", Self.catalog, "--states", Self.states, "--json",
        ])
        XCTAssertEqual(output.status, 0, output.stderr)
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(report["commands"] as? Int, 5)
        // The last label is deliberately wrong (30 %, not 40 %): four of five.
        XCTAssertEqual((report["exact"] as? [String: Any])?["hits"] as? Int, 4)
        XCTAssertEqual((report["false_actuations"] as? [String: Any])?["hits"] as? Int, 0)
        XCTAssertEqual(report["wrong_actuations"] as? Int, 1)
        XCTAssertNotNil((report["per_tag"] as? [String: Any])?["notcommand"])
        XCTAssertNotNil((report["latency_ms"] as? [String: Any])?["p95"] as? Double)
    }

    /// The fast path alone on the project's labelled set: it may leave commands to the model, but it may never
    /// publish for a text that asks for nothing, nor publish the wrong thing; and it must not lose ground.
    func testLabelledSetThroughTheFastPath() throws {
        let commands = try LabelledCommand.load(contentsOf: Self.labelled)
        XCTAssertGreaterThanOrEqual(commands.count, 300)
        let interpreter = Interpreter(
            catalog: try Catalog(contentsOf: Self.catalog),
            states: DeviceStateSnapshot(
                try JSONDecoder().decode([String: JSONValue].self, from: Data(contentsOf: URL(fileURLWithPath: Self.states)))))
        var evaluation = Evaluation()
        for command in commands { evaluation.add(command, interpreter.interpret(command.text)) }
        let report = evaluation.report
        for outcome in evaluation.outcomes where outcome.falseActuation || outcome.wrongActuation {
            XCTFail("actuated wrongly: '\(outcome.command.text)' → \(outcome.result.actions.map(\.device))")
        }
        print("labelled set, fast path only: \(report.exact.hits)/\(report.commands) exact")
        XCTAssertGreaterThanOrEqual(report.exact.rate, 0.58)
    }
}
