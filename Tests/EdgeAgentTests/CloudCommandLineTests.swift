import Foundation
import TestPeers
import XCTest

/// `edge-agent ask --cloud-config`, `outbox` and `learned` as a user runs them.
final class CloudCommandLineTests: XCTestCase {
    var server: CloudTestServer!
    var tree: FixtureTree!
    var config = ""

    override func setUpWithError() throws {
        server = try CloudTestServer()
        try server.start()
        try server.control([
            "answers": [
                CloudEscalatorTests.dark: ["actions": [["intent": "HassTurnOn", "devices": ["living_room_lamp"]]]]
            ]
        ])
        tree = try FixtureTree()
        config = try tree.write(
            "/agent.yaml",
            """
            cloud:
              endpoint:
                base_url: \(server.baseURL)
                model: test-model
                api_key_env: EDGE_TEST_KEY
                timeout_s: 2
              policy:
                mode: fallback
              state_path: \(tree.root)/state/cloud.sqlite
            """)
    }

    override func tearDown() {
        server.stop()
        server = nil
        tree = nil
    }

    func run(_ arguments: [String]) throws -> Program.Output {
        let output = try Program.run(
            [try Program.edgeAgent] + arguments, environment: ["EDGE_TEST_KEY": "sk-cli-secret"])
        XCTAssertFalse(output.stdout.contains("sk-cli-secret") || output.stderr.contains("sk-cli-secret"))
        return output
    }

    func testAskEscalatesThenAnswersFromWhatItLearned() throws {
        let ask = [
            "ask", "--json", "--catalog", AskCommandTests.catalog, "--cloud-config", config, CloudEscalatorTests.dark,
        ]
        let first = try run(ask)
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertTrue(first.stdout.contains(#""via":"cloud""#), first.stdout)
        XCTAssertTrue(first.stdout.contains("zigbee2mqtt/living_room_lamp/set"), first.stdout)

        server.stop()
        let second = try run(ask)
        XCTAssertTrue(second.stdout.contains(#""via":"learned""#), second.stdout)
        let offline = try run([
            "ask", "--json", "--catalog", AskCommandTests.catalog, "--cloud-config", config,
            "make it cozy where we watch films",
        ])
        XCTAssertTrue(offline.stdout.contains(#""status":"unrecognized""#), offline.stdout)
        XCTAssertTrue(offline.stdout.contains("unreachable"), offline.stdout)

        let list = try run(["learned", "list", "--cloud-config", config])
        XCTAssertTrue(
            list.stdout.contains("I want to read in the lounge  →  HassTurnOn living_room_lamp  (used 1×)"), list.stdout
        )
        XCTAssertEqual(
            try run(["learned", "forget", "--cloud-config", config, CloudEscalatorTests.dark]).stdout,
            "1 learned command(s) forgotten\n")
        XCTAssertEqual(try run(["learned", "list", "--cloud-config", config]).stdout, "")
    }

    func testOutboxListFlushPurge() throws {
        let state = tree.root + "/state/cloud.sqlite"
        XCTAssertEqual(try run(["outbox", "fill", "--state", state, "--count", "3"]).status, 0)
        let list = try run(["outbox", "list", "--json", "--cloud-config", config])
        XCTAssertEqual(list.status, 0, list.stderr)
        let lines = list.stdout.split(separator: "\n")
        XCTAssertEqual(lines.count, 3)
        XCTAssertTrue(lines.first?.contains(#""id":"fill-0""#) ?? false, list.stdout)
        XCTAssertTrue(lines.first?.contains(#""reply_topic":"test/reply""#) ?? false, list.stdout)
        XCTAssertEqual(try run(["outbox", "flush", "--cloud-config", config]).stdout, "3 escalation(s) due now\n")
        XCTAssertEqual(try run(["outbox", "purge", "--cloud-config", config]).stdout, "3 escalation(s) deleted\n")
        XCTAssertEqual(try run(["outbox", "list", "--cloud-config", config]).stdout, "")
        let bad = try run(["outbox", "list", "--cloud-config", tree.root + "/missing.yaml"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("missing.yaml"), bad.stderr)
    }
}
