import Foundation
import Logging
import MQTT
import TestPeers
import XCTest

@testable import EdgeAgent

/// A broker, an agent service running in this process, and a peer client that plays the user and the devices.
final class AgentHarness {
    let directory: URL
    let broker: MosquittoBroker
    var config = AgentConfig()
    private(set) var service: AgentService?
    private var task: Task<Void, Error>?
    private var peers: [MQTTClient] = []

    static let catalog = "Board/catalog/home.yaml"

    init(_ test: XCTestCase, brokerLines: @escaping (URL) -> String = { _ in "allow_anonymous true" }) throws {
        let directory = try makeTemporaryDirectory { removal in test.addTeardownBlock(removal) }
        self.directory = directory
        broker = try MosquittoBroker(directory: directory) { _ in brokerLines(directory) }
        try broker.start()
        config.agent.id = "test"
        config.broker.url = BrokerURL(tls: false, host: "127.0.0.1", port: broker.port)
        config.catalog = Self.repositoryFile(Self.catalog)
        config.spoolPath = directory.appendingPathComponent("spool.sqlite").path
        config.telemetry.interval = 0
        config.hermes.enabled = true
    }

    /// A repository file, whatever the test's working directory.
    static func repositoryFile(_ relative: String) -> String {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            let candidate = url.appendingPathComponent(relative)
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate.path }
        }
        return relative
    }

    var topics: AgentTopics { AgentTopics(prefix: config.agent.prefix) }

    /// Broker lines that keep persistent sessions across a restart of the broker, in `directory`.
    static func persistentBroker(_ directory: URL) -> String {
        chmod(directory.path, 0o777)  // mosquitto drops root and writes its database here
        return "allow_anonymous true\npersistence true\npersistence_location \(directory.path)/"
    }

    /// Starts the agent with `interpreter` (the real rules when nil) and waits until it serves.
    @discardableResult
    func startAgent(interpreter: (any CommandInterpreting)? = nil) async throws -> AgentService {
        var logger = Logger(label: "test.agent")
        logger.logLevel = .info
        let service = try AgentRuntime.makeService(config: config, logger: logger, interpreter: interpreter)
        self.service = service
        task = Task { try await service.run() }
        let watcher = try await peer("watch-status")
        let inbox = Inbox(watcher)
        try await watcher.subscribe(topics.status, qos: .atLeastOnce)
        _ = try await inbox.first(on: topics.status) { $0.text == "online" }
        try await Task.sleep(for: .milliseconds(200))  // its subscriptions follow the CONNACK
        return service
    }

    /// Stops the agent as SIGTERM would (the task's cancellation runs the same shutdown) and waits for it.
    func stopAgent() async {
        task?.cancel()
        _ = try? await task?.value
        task = nil
    }

    func peer(
        _ id: String, version: MQTTProtocolVersion = .v5, clean: Bool = true, sessionExpiry: UInt32? = nil
    ) async throws -> MQTTClient {
        let client = try MQTTClient(
            MQTTConfiguration(
                host: "127.0.0.1", port: broker.port, clientID: id, protocolVersion: version, cleanSession: clean,
                sessionExpiryInterval: sessionExpiry,
                backoff: MQTTBackoff(minimum: .seconds(1), maximum: .seconds(2))),
            logger: Logger(label: "test.\(id)"))
        peers.append(client)
        try await client.connect()
        return client
    }

    /// A peer whose persistent session the broker keeps across its own restart (with `persistentBroker`),
    /// subscribed to the results and the devices' actions: it sees all that is sent, whoever reconnects first.
    func persistentWatcher(_ id: String) async throws -> Inbox {
        let watcher = try await peer(id, clean: false, sessionExpiry: 600)
        let inbox = Inbox(watcher)
        try await watcher.subscribe(topics.result, qos: .atLeastOnce)
        try await watcher.subscribe("zigbee2mqtt/+/set", qos: .atLeastOnce)
        return inbox
    }

    func tearDown() async {
        await stopAgent()
        for peer in peers { peer.disconnect() }
        peers = []
        broker.stop()
    }
}

/// The JSON object of a message's payload, or a failure naming the payload.
func jsonObject(_ message: MQTTMessage, file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
    let object = try JSONSerialization.jsonObject(with: Data(message.payload)) as? [String: Any]
    guard let object else {
        XCTFail("not a JSON object: \(message.text ?? "?")", file: file, line: line)
        throw BrokerError("not a JSON object")
    }
    return object
}

/// The `id` of a result message's JSON.
func resultID(_ message: MQTTMessage) -> String? {
    (try? JSONSerialization.jsonObject(with: Data(message.payload)) as? [String: Any])?["id"] as? String
}

/// Polls `condition` every 20 ms until it holds, or fails naming `what` after `timeout` seconds.
func waitUntil(_ what: String, timeout: TimeInterval = 10, _ condition: @escaping () -> Bool) async throws {
    let deadline = Date().addingTimeInterval(timeout)
    while !condition() {
        guard Date() < deadline else { throw BrokerError("timed out waiting until \(what)") }
        try await Task.sleep(for: .milliseconds(20))
    }
}
