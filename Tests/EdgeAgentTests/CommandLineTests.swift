import Foundation
import XCTest

/// The `edge-agent` program as a user runs it, on the real default model (fetched by Models/fetch.sh).
final class CommandLineTests: XCTestCase {
    func run(_ arguments: [String]) throws -> Program.Output {
        try Program.run([try Program.edgeAgent] + arguments)
    }

    func json(_ text: String) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], text)
    }

    func testTokenizePrintsTheIds() throws {
        let output = try run(["tokenize", "--model", "smollm2-135m-instruct", "Turn on the kitchen lights"])
        XCTAssertEqual(output.status, 0, output.stderr)
        XCTAssertEqual(output.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "[24202,335,260,9902,7751]")
    }

    func testGenerateStreamsTheGreedyAnswer() throws {
        let output = try run(["generate", "--prompt", "The capital of France is", "--max-tokens", "3", "--threads", "2"])
        XCTAssertEqual(output.status, 0, output.stderr)
        XCTAssertEqual(output.stdout, " Paris.\n\n", "three tokens, then the closing newline")
    }

    func testGenerateJSONReportsCountsAndSpeeds() throws {
        let output = try run([
            "generate", "--chat", "--no-system", "--prompt", "Turn on the kitchen lights", "--max-tokens", "16", "--json",
        ])
        XCTAssertEqual(output.status, 0, output.stderr)
        let report = try json(output.stdout)
        XCTAssertEqual(report["text"] as? String, "Turn on the kitchen lights")
        XCTAssertEqual(report["prompt_tokens"] as? Int, 14)
        XCTAssertEqual(report["generated_tokens"] as? Int, 5)
        XCTAssertEqual(report["stop_reason"] as? String, "end_of_generation")
        XCTAssertGreaterThan(report["prefill_tok_s"] as? Double ?? 0, 0)
        XCTAssertGreaterThan(report["decode_tok_s"] as? Double ?? 0, 0)
    }

    func testSeededSamplingRepeats() throws {
        let arguments = ["generate", "--prompt", "Once upon a time", "--max-tokens", "12", "--temperature", "0.9",
                         "--top-k", "40", "--seed", "7"]
        let first = try run(arguments)
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertEqual(try run(arguments).stdout, first.stdout)
    }

    func testBenchPrintsTheFigures() throws {
        let output = try run(["bench", "--prompt-tokens", "16", "--gen-tokens", "4", "--rounds", "1", "--json"])
        XCTAssertEqual(output.status, 0, output.stderr)
        let report = try json(output.stdout)
        for key in ["prefill_tok_s", "decode_tok_s", "peak_rss_mb", "load_ms", "model_file_mb", "kv_cache_mb"] {
            XCTAssertGreaterThan(report[key] as? Double ?? 0, 0, key)
        }
    }

    func testBadInputGetsAClearError() throws {
        let missing = try run(["generate", "--model", "/nonexistent/model.gguf", "--prompt", "hi"])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.stderr.contains("/nonexistent/model.gguf"), missing.stderr)

        let notGGUF = FileManager.default.temporaryDirectory.appendingPathComponent("not-a-model-\(UUID()).gguf")
        try Data("this is not a model".utf8).write(to: notGGUF)
        defer { try? FileManager.default.removeItem(at: notGGUF) }
        let corrupt = try run(["generate", "--model", notGGUF.path, "--prompt", "hi"])
        XCTAssertNotEqual(corrupt.status, 0)
        XCTAssertTrue(corrupt.stderr.contains("not a GGUF file"), corrupt.stderr)

        let unknown = try run(["generate", "--model", "no-such-model", "--prompt", "hi"])
        XCTAssertNotEqual(unknown.status, 0)
        XCTAssertTrue(unknown.stderr.contains("smollm2-135m-instruct"), unknown.stderr)

        let badParameter = try run(["generate", "--prompt", "hi", "--top-p", "1.5", "--temperature", "0.7"])
        XCTAssertNotEqual(badParameter.status, 0)
        XCTAssertTrue(badParameter.stderr.contains("top_p"), badParameter.stderr)
    }
}
