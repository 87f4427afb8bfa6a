import Foundation
import Logging
import MQTT
import TestPeers
import XCTest

@testable import EdgeAgent

/// The built `edge-agent run` as a separate process: presence (birth, last will, graceful offline), and the
/// secured broker (TLS with an openssl-made CA, username and password).
final class AgentProcessTests: XCTestCase {
    private var directory: URL!
    private var broker: MosquittoBroker?
    private var agents: [Process] = []
    private var peers: [MQTTClient] = []

    override func setUpWithError() throws {
        directory = try makeTemporaryDirectory { removal in self.addTeardownBlock(removal) }
    }

    override func tearDown() {
        for agent in agents where agent.isRunning { kill(agent.processIdentifier, SIGKILL) }
        for peer in peers { peer.disconnect() }
        broker?.stop()
    }

    private var program: String {
        get throws { try builtProgram("edge-agent", besideBundleOf: AgentProcessTests.self) }
    }

    private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    private func startAgent(config: String, environment: [String: String] = [:]) throws -> Process {
        try config.write(toFile: path("agent.yaml"), atomically: true, encoding: .utf8)
        let agent = Process()
        agent.executableURL = URL(fileURLWithPath: try program)
        agent.arguments = ["run", "--config", path("agent.yaml")]
        agent.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        FileManager.default.createFile(atPath: path("agent.log"), contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: path("agent.log")))
        agent.standardOutput = log
        agent.standardError = log
        try agent.run()
        agents.append(agent)
        return agent
    }

    private func peer(_ configuration: MQTTConfiguration) async throws -> (MQTTClient, Inbox) {
        let client = try MQTTClient(configuration, logger: Logger(label: "test.peer"))
        peers.append(client)
        let inbox = Inbox(client)
        try await client.connect()
        return (client, inbox)
    }

    private func config(port: Int, extra: String = "", telemetry: Double = 0) -> String {
        """
        agent: {id: proc}
        broker:
          url: mqtt://127.0.0.1:\(port)
        \(extra)
        catalog: \(AgentHarness.repositoryFile(AgentHarness.catalog))
        spool_path: \(path("spool.sqlite"))
        telemetry: {interval_s: \(telemetry)}
        """
    }

    /// The agent holds telemetry while the broker is away and is killed (kill -9); restarted, still without a
    /// broker, it takes the file back, and once the broker returns each held report arrives exactly once.
    func testSpooledItemsSurviveAKillAndArriveOnceAfterTheRestart() async throws {
        let broker = try MosquittoBroker(directory: directory) { _ in AgentHarness.persistentBroker(self.directory) }
        try broker.start()
        self.broker = broker
        let (watcher, inbox) = try await peer(
            MQTTConfiguration(
                host: "127.0.0.1", port: broker.port, clientID: "spool-watcher", cleanSession: false,
                sessionExpiryInterval: 600, backoff: MQTTBackoff(minimum: .seconds(1), maximum: .seconds(2))))
        try await watcher.subscribe("edge/proc/telemetry", qos: .atLeastOnce)
        let settings = config(port: broker.port, extra: "  reconnect_max_s: 2", telemetry: 0.2)
        let killed = try startAgent(config: settings)
        _ = try await inbox.first(on: "edge/proc/telemetry")

        broker.stop()
        let file = try SpoolStore(path: path("spool.sqlite"))
        let deadline = Date().addingTimeInterval(15)
        while try file.count < 5 {
            guard Date() < deadline else { return XCTFail("nothing spooled while the broker was away") }
            try await Task.sleep(for: .milliseconds(50))
        }
        kill(killed.processIdentifier, SIGKILL)
        killed.waitUntilExit()
        let held = try file.load().map(\.item.id)

        let restarted = try startAgent(config: settings)
        try await Task.sleep(for: .seconds(1))  // it takes the file back and holds more of its own
        try broker.start()
        func arrived() -> [String] {
            inbox.messages.filter { $0.topic == "edge/proc/telemetry" }
                .compactMap { $0.properties.userProperties.first { $0.name == "id" }?.value }
        }
        let arrival = Date().addingTimeInterval(20)
        while !Set(held).isSubset(of: arrived()) {
            guard Date() < arrival else { return XCTFail("held \(held), arrived \(arrived())") }
            try await Task.sleep(for: .milliseconds(50))
        }
        try await Task.sleep(for: .milliseconds(500))  // room for a duplicate to show up
        let ids = arrived()
        for id in held { XCTAssertEqual(ids.filter { $0 == id }.count, 1, "\(id) in \(ids)") }
        XCTAssertEqual(Set(ids).count, ids.count, "an id arrived twice: \(ids)")
        XCTAssertTrue(restarted.isRunning)
        let log = try String(contentsOfFile: path("agent.log"), encoding: .utf8)
        XCTAssertTrue(log.contains("Spool restored from the previous run"), log)
    }

    func testSpoolFileThatIsNotADatabaseIsMovedAsideAndTheAgentServes() async throws {
        let broker = try MosquittoBroker(directory: directory)
        try broker.start()
        self.broker = broker
        let garbage = Data("not a database\n".utf8) + Data(repeating: 0x5A, count: 4096)
        try garbage.write(to: URL(fileURLWithPath: path("spool.sqlite")))
        let (peer, inbox) = try await peer(MQTTConfiguration(host: "127.0.0.1", port: broker.port, clientID: "p"))
        try await peer.subscribe("edge/proc/#", qos: .atLeastOnce)
        try await peer.subscribe("zigbee2mqtt/+/set", qos: .atLeastOnce)
        let agent = try startAgent(config: config(port: broker.port))
        _ = try await inbox.first(on: "edge/proc/birth")  // published once its subscriptions are acknowledged
        try await peer.publish(topic: "edge/proc/cmd", payload: Array("turn on the hall light".utf8), qos: .atLeastOnce)
            .acknowledged()
        _ = try await inbox.first(on: "zigbee2mqtt/hall_light/set")
        XCTAssertTrue(agent.isRunning)
        let log = try String(contentsOfFile: path("agent.log"), encoding: .utf8)
        XCTAssertTrue(log.contains("The spool file cannot be read"), log)
        XCTAssertTrue(log.contains(path("spool.sqlite")), log)
        let aside = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasPrefix("spool.sqlite.bad-") && !$0.hasSuffix("-wal") && !$0.hasSuffix("-shm") }
        XCTAssertEqual(aside.count, 1, "\(aside)")
        XCTAssertEqual(try Data(contentsOf: directory.appendingPathComponent(aside[0])), garbage)
    }

    func testABadConfigIsRefusedWithTheLineAndExitCode78() throws {
        let agent = try startAgent(config: "agent: {id: proc}\nbroker:\n  url: tcp://somewhere\n")
        agent.waitUntilExit()
        XCTAssertEqual(agent.terminationStatus, 78)
        let log = try String(contentsOfFile: path("agent.log"), encoding: .utf8)
        XCTAssert(log.contains("agent.yaml:3: 'broker.url'"), log)
        XCTAssert(log.contains("tcp://somewhere"), log)
    }

    func testStatusIsOnlineWithABirthThenOfflineByTheWillAndOnAGracefulStop() async throws {
        let broker = try MosquittoBroker(directory: directory)
        try broker.start()
        self.broker = broker
        let (watcher, inbox) = try await peer(MQTTConfiguration(host: "127.0.0.1", port: broker.port, clientID: "w"))
        try await watcher.subscribe("edge/proc/#", qos: .atLeastOnce)

        let crashing = try startAgent(config: config(port: broker.port))
        _ = try await inbox.first(on: "edge/proc/status") { $0.text == "online" && $0.retain == false }
        let birth = try await inbox.first(on: "edge/proc/birth")
        let fields = try JSONSerialization.jsonObject(with: Data(birth.payload)) as? [String: Any]
        XCTAssertEqual(fields?["version"] as? String, "0.1.0")
        XCTAssertEqual((fields?["catalog_hash"] as? String)?.hasPrefix("fnv1a64:"), true)
        XCTAssertNotNil(fields?["capabilities"] as? [String])
        kill(crashing.processIdentifier, SIGKILL)
        _ = try await inbox.first(on: "edge/proc/status") { $0.text == "offline" }
        crashing.waitUntilExit()

        // A new subscriber sees the retained word; then a graceful stop publishes it itself. Started as systemd
        // would with Type=notify and a watchdog: READY, WATCHDOG, STOPPING.
        let notify = try NotifySocket(path: path("notify.sock"))
        let graceful = try startAgent(
            config: config(port: broker.port),
            environment: ["NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "200000"])
        XCTAssertEqual(notify.waitFor("READY=1").last, "READY=1")
        XCTAssertEqual(notify.waitFor("WATCHDOG=1", timeout: 2).last, "WATCHDOG=1")
        let (late, lateInbox) = try await peer(
            MQTTConfiguration(host: "127.0.0.1", port: broker.port, clientID: "late"))
        try await Task.sleep(for: .milliseconds(800))
        try await late.subscribe("edge/proc/status", qos: .atLeastOnce)
        let retained = try await lateInbox.first(on: "edge/proc/status")
        XCTAssertEqual(retained.text, "online")
        XCTAssertTrue(retained.retain)
        let before = inbox.messages.count
        kill(graceful.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(10)
        while graceful.isRunning && Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
        XCTAssertFalse(graceful.isRunning, "the agent did not stop on SIGTERM")
        XCTAssertEqual(notify.waitFor("STOPPING=1", timeout: 1).last, "STOPPING=1")
        XCTAssertEqual(graceful.terminationStatus, 0)
        XCTAssertEqual(graceful.terminationReason, .exit)
        let offline = try await inbox.first(on: "edge/proc/status") { $0.text == "offline" }
        XCTAssertNotNil(inbox.messages.dropFirst(before).first { $0 == offline }, "no offline after SIGTERM")
    }

    func testTLSWithUsernameAndPasswordServesCommandsAndNeverLogsThePassword() async throws {
        try TestCertificates.makeAuthority("ca", in: directory)
        try TestCertificates.makeServer(signedBy: "ca", in: directory)
        try runProgram("/usr/bin/mosquitto_passwd", ["-c", "-b", path("passwords"), "agent", "pa55-w0rd"])
        try runProgram("/usr/bin/mosquitto_passwd", ["-b", path("passwords"), "peer", "peer-pw"])
        chmod(path("passwords"), 0o644)
        let broker = try MosquittoBroker(directory: directory) { _ in
            """
            allow_anonymous false
            password_file \(self.path("passwords"))
            cafile \(self.path("ca.crt"))
            certfile \(self.path("server.crt"))
            keyfile \(self.path("server.key"))
            """
        }
        try broker.start()
        self.broker = broker
        let (peer, inbox) = try await peer(
            MQTTConfiguration(
                host: "127.0.0.1", port: broker.port, clientID: "tls-peer",
                credentials: MQTTCredentials(username: "peer", password: "peer-pw"),
                tls: MQTTTLS(caFile: path("ca.crt"))))
        try await peer.subscribe("edge/proc/#", qos: .atLeastOnce)
        try await peer.subscribe("zigbee2mqtt/+/set", qos: .atLeastOnce)

        let secured = [
            "  username: agent", "  password_env: EDGE_AGENT_TEST_PASSWORD", "  tls: {ca_file: \(path("ca.crt"))}",
        ]
        let agent = try startAgent(
            config: config(port: broker.port, extra: secured.joined(separator: "\n"))
                .replacingOccurrences(of: "mqtt://", with: "mqtts://"),
            environment: ["EDGE_AGENT_TEST_PASSWORD": "pa55-w0rd"])
        _ = try await inbox.first(on: "edge/proc/birth")  // published once its subscriptions are acknowledged
        try await peer.publish(topic: "edge/proc/cmd", payload: Array("turn on the hall light".utf8), qos: .atLeastOnce)
            .acknowledged()
        let action = try await inbox.first(on: "zigbee2mqtt/hall_light/set")
        XCTAssertEqual(action.text, #"{"state":"ON"}"#)
        _ = try await inbox.first(on: "edge/proc/result")
        kill(agent.processIdentifier, SIGTERM)
        agent.waitUntilExit()
        XCTAssertEqual(agent.terminationStatus, 0)
        let log = try String(contentsOfFile: path("agent.log"), encoding: .utf8)
        XCTAssertFalse(log.contains("pa55-w0rd"), "the password was logged")
        XCTAssert(log.contains("Agent serving"), log)
    }
}
