import Foundation
import XCTest

/// Board/install.sh staged into a folder, as a package build or a first install would run it.
final class InstallScriptTests: XCTestCase {
    func testStagedInstallPutsEverythingWhereTheUnitLooksAndKeepsEdits() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("install-\(getpid())")
        defer { try? FileManager.default.removeItem(at: root) }
        // The model is linked in beforehand, so check can size the unit's memory limit without a download.
        let models = root.appendingPathComponent("usr/share/edge-agent/models")
        try FileManager.default.createDirectory(at: models, withIntermediateDirectories: true)
        let cached = ModelStoreHome.directory + "/SmolLM2-135M-Instruct.Q4_1.gguf"
        try FileManager.default.createSymbolicLink(
            atPath: models.appendingPathComponent("SmolLM2-135M-Instruct.Q4_1.gguf").path, withDestinationPath: cached)

        let script = AskCommandTests.root.appendingPathComponent("Board/install.sh").path
        let arguments = [
            script, "--root", root.path, "--binary", try Program.edgeAgent, "--board", "rpi-zero-2w", "--no-model",
            "--no-systemd",
        ]
        let first = try Program.run(arguments)
        XCTAssertEqual(first.status, 0, first.stderr + first.stdout)

        let fm = FileManager.default
        XCTAssertTrue(fm.isExecutableFile(atPath: root.appendingPathComponent("usr/bin/edge-agent").path))
        XCTAssertTrue(fm.fileExists(atPath: root.appendingPathComponent("usr/share/edge-agent/boards/rpi-zero-2w.yaml").path))
        let unit = try String(contentsOf: root.appendingPathComponent("etc/systemd/system/edge-agent.service"), encoding: .utf8)
        XCTAssertTrue(unit.contains("\nMemoryMax=256M\n"), unit)
        XCTAssertTrue(unit.contains("ExecStart=/usr/bin/edge-agent run --config /etc/edge-agent/agent.yaml"), unit)
        let configURL = root.appendingPathComponent("etc/edge-agent/agent.yaml")
        let config = try String(contentsOf: configURL, encoding: .utf8)
        XCTAssertTrue(config.contains("\ncatalog: /etc/edge-agent/catalog.yaml\n"), config)
        XCTAssertTrue(fm.fileExists(atPath: root.appendingPathComponent("etc/edge-agent/catalog.yaml").path))

        // The installed binary finds the installed profiles and model the way the unit runs it.
        let check = try Program.run(
            [root.appendingPathComponent("usr/bin/edge-agent").path, "check", "--board", "rpi-zero-2w"],
            environment: [
                "EDGE_AGENT_BOARDS": root.appendingPathComponent("usr/share/edge-agent/boards").path,
                "EDGE_AGENT_MODELS": models.path,
            ])
        XCTAssertEqual(check.status, 0, check.stderr + check.stdout)

        // A second run keeps the owner's edits.
        try (config + "\n# edited by the owner\n").write(to: configURL, atomically: true, encoding: .utf8)
        let second = try Program.run(arguments)
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertTrue(second.stdout.contains("agent.yaml kept"), second.stdout)
        XCTAssertTrue(try String(contentsOf: configURL, encoding: .utf8).contains("# edited by the owner"))
    }

    func testRefusesWithoutABinary() throws {
        let script = AskCommandTests.root.appendingPathComponent("Board/install.sh").path
        let output = try Program.run([script, "--root", "/tmp/never-\(getpid())", "--binary", "/nonexistent/edge-agent"])
        XCTAssertNotEqual(output.status, 0)
        XCTAssertTrue(output.stderr.contains("no binary at /nonexistent/edge-agent"), output.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/tmp/never-\(getpid())"))
    }
}
