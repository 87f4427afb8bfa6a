import Foundation
import Logging
import MQTT
import TestPeers
import XCTest

/// `edge-agent run` with a `cloud:` section, against a real broker and the project's OpenAI-compatible test server:
/// what the device cannot decide is answered by the cloud and carried out; with the cable pulled it is deferred,
/// then answered once the link is back; a late device action is never executed.
final class AgentCloudTests: XCTestCase {
    private var directory: URL!
    private var broker: MosquittoBroker?
    private var server: CloudTestServer?
    private var agent: Process?
    private var peers: [MQTTClient] = []

    static let lounge = "I want to read in the lounge"
    static let films = "make it cozy where we watch films"

    override func setUpWithError() throws {
        directory = try makeTemporaryDirectory { removal in self.addTeardownBlock(removal) }
    }

    override func tearDown() {
        if let agent, agent.isRunning { kill(agent.processIdentifier, SIGKILL) }
        for peer in peers { peer.disconnect() }
        broker?.stop()
        server?.stop()
    }

    private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    private var program: String { get throws { try builtProgram("edge-agent", besideBundleOf: AgentCloudTests.self) } }

    func testUnrecognizedCommandsGoToTheCloudAndAnswersComeBackAfterAnOutage() async throws {
        let broker = try MosquittoBroker(directory: directory)
        try broker.start()
        self.broker = broker
        let server = try CloudTestServer()
        try server.start()
        self.server = server
        try server.control([
            "answers": [Self.lounge: ["actions": [["intent": "HassTurnOn", "devices": ["living_room_lamp"]]]]]
        ])
        let config = """
            agent: {id: hybrid}
            broker:
              url: mqtt://127.0.0.1:\(broker.port)
            catalog: \(AgentHarness.repositoryFile(AgentHarness.catalog))
            interpreter: {slm: false}
            telemetry: {interval_s: 0}
            cloud:
              endpoint:
                base_url: \(server.baseURL)
                model: test-model
                api_key_env: EDGE_TEST_KEY
                timeout_s: 2
              policy:
                mode: fallback
              outbox: {device_action_expiry_s: 60}
              state_path: \(path("cloud.sqlite"))
            spool_path: \(path("spool.sqlite"))
            """
        try config.write(toFile: path("agent.yaml"), atomically: true, encoding: .utf8)
        let agent = Process()
        agent.executableURL = URL(fileURLWithPath: try program)
        agent.arguments = ["run", "--config", path("agent.yaml")]
        agent.environment = ProcessInfo.processInfo.environment.merging(["EDGE_TEST_KEY": "sk-agent-secret"]) { $1 }
        FileManager.default.createFile(atPath: path("agent.log"), contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: path("agent.log")))
        agent.standardOutput = log
        agent.standardError = log
        try agent.run()
        self.agent = agent

        let client = try MQTTClient(
            MQTTConfiguration(host: "127.0.0.1", port: broker.port, clientID: "cloud-peer"),
            logger: Logger(label: "test.peer"))
        peers.append(client)
        let inbox = Inbox(client)
        try await client.connect()
        try await client.subscribe("edge/hybrid/#", qos: .atLeastOnce)
        try await client.subscribe("zigbee2mqtt/#", qos: .atLeastOnce)
        _ = try await inbox.first(on: "edge/hybrid/status") { $0.text == "online" }

        // The rules don't understand it; the cloud does, and the lamp goes on.
        _ = try client.publish(
            topic: "edge/hybrid/cmd", payload: Array(#"{"id":"c1","text":"\#(Self.lounge)"}"#.utf8), qos: .atLeastOnce)
        let action = try await inbox.first(on: "zigbee2mqtt/living_room_lamp/set")
        XCTAssertEqual(action.text, #"{"state":"ON"}"#)
        let first = try await inbox.first(on: "edge/hybrid/result") { $0.text?.contains(#""id":"c1""#) == true }
        XCTAssertTrue(first.text?.contains(#""via":"cloud""#) == true, first.text ?? "")

        // Cable pulled: deferred, with nothing executed.
        server.stop()
        _ = try client.publish(
            topic: "edge/hybrid/cmd", payload: Array(#"{"id":"c2","text":"\#(Self.films)"}"#.utf8), qos: .atLeastOnce)
        let deferred = try await inbox.first(on: "edge/hybrid/result") { $0.text?.contains(#""id":"c2""#) == true }
        XCTAssertTrue(deferred.text?.contains(#""status":"deferred""#) == true, deferred.text ?? "")
        XCTAssertNil(inbox.messages.first { $0.topic == "zigbee2mqtt/living_room_tv_plug/set" })

        // Back online: the outbox delivers it, once.
        try server.start()
        try server.control([
            "answers": [Self.films: ["actions": [["intent": "HassTurnOn", "devices": ["living_room_tv"]]]]]
        ])
        let late = try await inbox.first(on: "zigbee2mqtt/living_room_tv_plug/set", timeout: 30)
        XCTAssertEqual(late.text, #"{"state":"ON"}"#)
        let answered = try await inbox.first(on: "edge/hybrid/result") {
            $0.text?.contains(#""id":"c2""#) == true && $0.text?.contains(#""status":"ok""#) == true
        }
        XCTAssertTrue(answered.text?.contains(#""via":"cloud""#) == true, answered.text ?? "")
        try await Task.sleep(for: .milliseconds(500))
        XCTAssertEqual(inbox.messages.filter { $0.topic == "zigbee2mqtt/living_room_tv_plug/set" }.count, 1)
        XCTAssertEqual(try server.userTexts().filter { $0.contains(Self.films) }.count, 1)

        let text = try String(contentsOfFile: path("agent.log"), encoding: .utf8)
        XCTAssertFalse(text.contains("sk-agent-secret"), "the API key reached the log")
        kill(agent.processIdentifier, SIGTERM)
        agent.waitUntilExit()
        XCTAssertEqual(agent.terminationStatus, 0, text)
    }
}
