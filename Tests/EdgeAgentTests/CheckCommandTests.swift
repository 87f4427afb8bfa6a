import Foundation
import XCTest

/// `edge-agent check` as a user runs it, on the shipped profiles and the real default model; and in a real
/// memory-limited cgroup where the machine lets the test make one.
final class CheckCommandTests: XCTestCase {
    /// Runs `arguments` (the program first) with the shipped profiles.
    func run(_ arguments: [String]) throws -> Program.Output {
        try Program.run(arguments, environment: ["EDGE_AGENT_BOARDS": BoardProfileTests.profiles])
    }

    var executable: String { get throws { try Program.edgeAgent } }

    /// Fails for each of `lines` that is not a whole line of the output.
    func assertLines(_ lines: [String], in output: Program.Output, file: StaticString = #filePath, line: UInt = #line) {
        for expected in lines where !output.stdout.contains(expected + "\n") {
            XCTFail("'\(expected)' missing from:\n\(output.stdout)", file: file, line: line)
        }
    }

    func check(_ arguments: [String]) throws -> Program.Output {
        _ = try RealModel.path
        return try run([try executable, "check"] + arguments)
    }

    func testZero2WFits() throws {
        let noMachineLimits = try FixtureTree()
        let output = try check(["--board", "rpi-zero-2w", "--system-root", noMachineLimits.root])
        XCTAssertEqual(output.status, 0, output.stderr)
        assertLines(
            [
                "board       rpi-zero-2w: Raspberry Pi Zero 2 W (4 × Cortex-A53), 512 MB RAM (--board)",
                "limits      board profile 256.0 MB",
                "KV cache       22.5 MB  (1024 tokens × 30 layers × 2 × 192 × 2 B)",
                "total         154.1 MB of a 224.0 MB budget (256.0 MB board profile - 32.0 MB reserve), 512 MB RAM",
                "verdict     ok",
            ], in: output)
    }

    func testTooSmallABudgetRefusesWithTheDistinctExitCode() throws {
        let output = try check(["--board", "rpi-zero-2w", "--budget-mb", "120"])
        XCTAssertEqual(output.status, 75, output.stderr)
        for expected in [
            "verdict     refuse: not enough memory to run the model: it needs 154.1 MB, the budget is 88.0 MB",
            "model file  93.8 MB", "KV cache    22.5 MB (1024 tokens)", "scratch     1.8 MB", "baseline    36.0 MB",
            "88.0 MB = 120.0 MB from the config - 32.0 MB reserve", "--budget-mb",
        ] {
            XCTAssertTrue(output.stdout.contains(expected), "'\(expected)' missing from:\n\(output.stdout)")
        }
    }

    func testJSONReportsAShorterContext() throws {
        let output = try check(["--board", "rpi-zero-2w", "--budget-mb", "180", "--json"])
        XCTAssertEqual(output.status, 0, output.stderr)
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(report["verdict"] as? String, "shrink")
        XCTAssertEqual(report["context_length"] as? Int, 512)
        XCTAssertEqual(report["requested_context_length"] as? Int, 1024)
        XCTAssertEqual(report["budget_mb"] as? Double, 148)
        XCTAssertEqual(report["budget_source"] as? String, "config")
        XCTAssertEqual(report["kv_cache_mb"] as? Double, 11.3)
    }

    // MARK: The agent's config

    /// An agent config as `run` reads it, in a temporary file.
    func agentConfig(_ yaml: String) throws -> (path: String, tree: FixtureTree) {
        let tree = try FixtureTree()
        let path = tree.root + "/agent.yaml"
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return (path, tree)
    }

    static let zeroConfig = """
        agent: {id: kitchen, board: rpi-zero-2w}
        interpreter: {slm: true}
        model:
          threads: 1
          context: 512
        limits:
          memory_budget_mb: 200
        """

    func testTheConfigGivesTheBoardContextThreadsAndBudget() throws {
        let (config, tree) = try agentConfig(Self.zeroConfig)
        let output = try check(["--config", config, "--system-root", tree.root])
        XCTAssertEqual(output.status, 0, output.stderr)
        assertLines(
            [
                "board       rpi-zero-2w: Raspberry Pi Zero 2 W (4 × Cortex-A53), 512 MB RAM (config file)",
                "config      \(config)",
                "threads     1 (config file)",
                "context     512 tokens (config file)",
                "configured  200.0 MB budget (config file)",
                "limits      config 200.0 MB, board profile 256.0 MB",
                "KV cache       11.3 MB  (512 tokens × 30 layers × 2 × 192 × 2 B)",
                "total         142.8 MB of a 168.0 MB budget (200.0 MB config - 32.0 MB reserve), 512 MB RAM",
                "verdict     ok",
            ], in: output)
        XCTAssertTrue(output.stdout.contains("(board profile)"), "the model is the board's: \(output.stdout)")
        XCTAssertFalse(output.stdout.contains("run loads no model"), output.stdout)
    }

    func testTheOptionsOverrideTheConfigAndTheReportSaysSo() throws {
        let (config, tree) = try agentConfig(Self.zeroConfig)
        let output = try check(
            ["--config", config, "--context", "1024", "--budget-mb", "180", "--json", "--system-root", tree.root])
        XCTAssertEqual(output.status, 0, output.stderr)
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(report["config"] as? String, config)
        XCTAssertEqual(
            report["sources"] as? [String: String],
            [
                "board": "config file", "model": "board profile", "context": "--context", "threads": "config file",
                "budget": "--budget-mb",
            ])
        XCTAssertEqual(report["board"] as? String, "rpi-zero-2w")
        XCTAssertEqual(report["threads"] as? Int, 1)
        XCTAssertEqual(report["budget_mb"] as? Double, 148)
        XCTAssertEqual(report["requested_context_length"] as? Int, 1024)
        XCTAssertEqual(report["verdict"] as? String, "shrink")
    }

    func testWithoutAContextTheConfigIsCheckedAtRunsDefault() throws {
        let (config, tree) = try agentConfig("agent: {board: rpi-4-2gb}\n")
        let output = try check(["--config", config, "--system-root", tree.root])
        XCTAssertEqual(output.status, 0, output.stderr)
        XCTAssertTrue(output.stdout.contains("context     2048 tokens (run's default)\n"), output.stdout)
        XCTAssertTrue(output.stdout.contains("(2048 tokens × 30 layers"), output.stdout)
    }

    func testAConfigWithoutTheModelDoesNotFailOnAVerdict() throws {
        let (config, tree) = try agentConfig(
            "agent: {board: rpi-zero-2w}\ninterpreter: {slm: false}\nlimits: {memory_budget_mb: 100}\n")
        let output = try check(["--config", config, "--system-root", tree.root])
        XCTAssertEqual(output.status, 0, output.stdout + output.stderr)
        XCTAssertTrue(output.stdout.contains("verdict     refuse: "), output.stdout)
        XCTAssertTrue(output.stdout.contains("run loads no model"), output.stdout)
    }

    func testABadConfigLineIsRefusedAsRunRefusesIt() throws {
        let (config, tree) = try agentConfig("agent: {board: rpi-zero-2w}\nmodel:\n  context: lots\n")
        let output = try check(["--config", config, "--system-root", tree.root])
        XCTAssertEqual(output.status, 78, output.stdout)
        XCTAssertTrue(
            output.stderr.contains("agent.yaml:3: 'model.context': 'lots' is not a whole number"), output.stderr)
        XCTAssertEqual(output.stdout, "")
    }

    func testUnknownBoardNamesTheKnownOnes() throws {
        let output = try check(["--board", "rpi-6"])
        XCTAssertEqual(output.status, 1)
        XCTAssertTrue(output.stderr.contains("no board profile 'rpi-6'"), output.stderr)
        XCTAssertTrue(output.stderr.contains("rpi-zero-2w"), output.stderr)
    }

    // MARK: A real memory-limited cgroup

    /// A child cgroup of this process's memory cgroup with `limit` bytes, or nil (with the reason) where the
    /// machine does not let the test make one.
    func makeCgroup(limit: Int) throws -> (directory: String, limitFile: String)? {
        let name = "edge-agent-test-\(UUID().uuidString.prefix(8))"
        let candidates = [
            ("/sys/fs/cgroup/memory", "memory.limit_in_bytes"),  // v1 (this machine)
            ("/sys/fs/cgroup", "memory.max"),  // v2
        ]
        for (mount, limitFile) in candidates
        where FileManager.default.fileExists(atPath: mount + "/" + limitFile)
            || FileManager.default.fileExists(atPath: mount + "/cgroup.subtree_control")
        {
            let directory = mount + "/" + name
            guard
                (try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false))
                    != nil
            else { continue }
            do {
                try "\(limit)\n".write(toFile: directory + "/" + limitFile, atomically: false, encoding: .utf8)
                return (directory, limitFile)
            } catch {
                rmdir(directory)
            }
        }
        return nil
    }

    /// Runs the program inside the cgroup: a shell joins it, then becomes the program.
    func runInCgroup(_ directory: String, _ arguments: [String]) throws -> Program.Output {
        try run(["/bin/sh", "-c", "echo $$ > '\(directory)/cgroup.procs' && exec \"$@\"", "sh"] + arguments)
    }

    func testInARealCgroupCheckReadsTheLimitAndTheModelStaysWithinIt() throws {
        _ = try RealModel.path
        guard let small = try makeCgroup(limit: 150 << 20) else {
            throw XCTSkip("this machine does not allow making a memory cgroup; the fixture trees cover the readers")
        }
        defer { rmdir(small.directory) }
        let refused = try runInCgroup(small.directory, [try executable, "check", "--board", "rpi-zero-2w"])
        XCTAssertEqual(refused.status, 75, refused.stdout + refused.stderr)
        XCTAssertTrue(refused.stdout.contains("118.0 MB = 150.0 MB from the cgroup - 32.0 MB reserve"), refused.stdout)
        XCTAssertTrue(refused.stdout.contains("MemoryMax="), refused.stdout)

        guard let roomy = try makeCgroup(limit: 200 << 20) else { return XCTFail("a second cgroup could not be made") }
        defer { rmdir(roomy.directory) }
        let fits = try runInCgroup(roomy.directory, [try executable, "check", "--board", "rpi-zero-2w", "--json"])
        XCTAssertEqual(fits.status, 0, fits.stderr)
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(fits.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(report["verdict"] as? String, "ok")
        XCTAssertEqual(report["budget_source"] as? String, "cgroup")
        let budget = try XCTUnwrap(report["budget_mb"] as? Double)
        XCTAssertEqual(budget, 168)

        // The model at the admitted context, the whole KV cache written, inside the same limit.
        let bench = try runInCgroup(
            roomy.directory,
            [
                try executable, "bench", "--context", "1024", "--threads", "2", "--prompt-tokens", "960",
                "--gen-tokens", "64", "--rounds", "1", "--json",
            ])
        XCTAssertEqual(bench.status, 0, bench.stderr)
        let measured = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(bench.stdout.utf8)) as? [String: Any])
        let peak = try XCTUnwrap(measured["peak_rss_mb"] as? Double)
        XCTAssertLessThanOrEqual(peak, budget, "peak RSS within the budget check admitted")
        XCTAssertLessThanOrEqual(peak, try XCTUnwrap(report["total_mb"] as? Double), "the estimate bounds the peak")
        print("cgroup of 200 MB: budget \(budget) MB, estimate \(report["total_mb"] ?? ""), bench peak RSS \(peak) MB")
    }
}
