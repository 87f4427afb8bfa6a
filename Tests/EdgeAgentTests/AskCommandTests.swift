import Foundation
import XCTest

/// `edge-agent ask` as a user runs it, on the sample catalog; no model is needed for the fast path.
final class AskCommandTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let catalog = root.appendingPathComponent("Board/catalog/home.yaml").path

    func json(_ line: Substring) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], String(line))
    }

    func testAskJSONPrintsTheValidatedAction() throws {
        let output = try Program.run([
            try Program.edgeAgent, "ask", "--json", "--catalog", Self.catalog, "dim the bedroom lamp to 30%",
        ])
        XCTAssertEqual(output.status, 0, output.stderr)
        let result = try json(Substring(output.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        XCTAssertEqual(result["status"] as? String, "ok")
        XCTAssertEqual(result["via"] as? String, "rules")
        XCTAssertGreaterThanOrEqual(result["confidence"] as? Double ?? 0, 0.8)
        XCTAssertNotNil(result["latency_ms"] as? Double)
        let actions = try XCTUnwrap(result["actions"] as? [[String: Any]])
        XCTAssertEqual(actions.count, 1)
        XCTAssertEqual(actions.first?["device"] as? String, "bedroom_lamp")
        XCTAssertEqual(actions.first?["topic"] as? String, "zigbee2mqtt/bedroom_lamp/set")
        XCTAssertEqual(actions.first?["payload"] as? String, #"{"state":"ON","brightness":76}"#)
    }

    func testAskReadsStandardInputOneResultPerLine() throws {
        let agent = try Program.edgeAgent
        let output = try Program.run([
            "/bin/sh", "-c",
            "printf 'turn on the lamp\\ntell me a joke\\nturn off the kitchen light\\n' | '\(agent)' ask --json "
                + "--catalog '\(Self.catalog)'",
        ])
        XCTAssertEqual(output.status, 0, output.stderr)
        let lines = output.stdout.split(separator: "\n")
        XCTAssertEqual(lines.count, 3, output.stdout)
        guard lines.count == 3 else { return }
        let ambiguous = try json(lines[0])
        XCTAssertEqual(ambiguous["status"] as? String, "ambiguous")
        XCTAssertEqual((ambiguous["actions"] as? [Any])?.count, 0)
        XCTAssertTrue((ambiguous["candidates"] as? [String] ?? []).contains("bedroom_lamp"))
        let chat = try json(lines[1])
        XCTAssertEqual(chat["intents"] as? [String], ["NotACommand"])
        XCTAssertEqual((chat["actions"] as? [Any])?.count, 0)
        let off = try json(lines[2])
        XCTAssertEqual((off["actions"] as? [[String: Any]])?.first?["device"] as? String, "kitchen_ceiling")
    }

    func testHumanOutputShowsTopicPayloadAndConfidence() throws {
        let output = try Program.run([try Program.edgeAgent, "ask", "--catalog", Self.catalog, "lock the front door"])
        XCTAssertEqual(output.status, 0, output.stderr)
        XCTAssertTrue(output.stdout.hasPrefix("ok HassLock"), output.stdout)
        XCTAssertTrue(output.stdout.contains(#"zigbee2mqtt/front_door_lock/set {"state":"LOCK"}"#), output.stdout)
        XCTAssertTrue(output.stdout.contains("confidence"), output.stdout)
    }

    /// `--model` with `--no-fast-path` sends the command to the model; `--rules-only` never loads one.
    func testModelFlags() throws {
        let model = SLMInterpreterTests.modelPath
        let output = try Program.run(
            [
                try Program.edgeAgent, "ask", "--json", "--catalog", Self.catalog, "--model", model, "--no-fast-path",
                "--threads", "2", "switch the bathroom fan on please",
            ], environment: ["EDGE_AGENT_PREFIX_CACHE": NSTemporaryDirectory() + "edge-agent-ask-prefix"])
        XCTAssertEqual(output.status, 0, output.stderr)
        let result = try json(Substring(output.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        XCTAssertEqual(result["via"] as? String, "slm", output.stdout)
        XCTAssertEqual((result["actions"] as? [[String: Any]])?.first?["device"] as? String, "bathroom_fan", output.stdout)

        let rules = try Program.run([
            try Program.edgeAgent, "ask", "--json", "--catalog", Self.catalog, "--rules-only", "it's too dark in the office",
        ])
        XCTAssertEqual(rules.status, 0, rules.stderr)
        XCTAssertTrue(rules.stdout.contains(#""via":"rules""#), rules.stdout)
        let refused = try Program.run([try Program.edgeAgent, "ask", "--rules-only", "--no-fast-path", "hi"])
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.stderr.contains("--rules-only"), refused.stderr)
    }

    func testMissingCatalogIsNamed() throws {
        let missing = try Program.run([try Program.edgeAgent, "ask", "--catalog", "/nonexistent/home.yaml", "hi"])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.stderr.contains("/nonexistent/home.yaml"), missing.stderr)

        try XCTSkipIf(FileManager.default.fileExists(atPath: "/etc/edge-agent/catalog.yaml"), "a system catalog exists")
        let agent = try Program.edgeAgent
        let none = try Program.run(["/bin/sh", "-c", "cd / && '\(agent)' ask 'turn on the lamp'"])
        XCTAssertNotEqual(none.status, 0)
        XCTAssertTrue(none.stderr.contains("Board/catalog/home.yaml"), none.stderr)
        XCTAssertTrue(none.stderr.contains("/etc/edge-agent/catalog.yaml"), none.stderr)
    }
}
