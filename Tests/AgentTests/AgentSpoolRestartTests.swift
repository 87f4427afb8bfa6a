import Foundation
import Logging
import MQTT
import TestPeers
import XCTest

@testable import EdgeAgent

/// The broker is away while the agent answers commands, and the agent is replaced by a new one before it returns:
/// the new agent sends what the old one spooled, each once per id, and never an action whose expiry passed.
final class AgentSpoolRestartTests: XCTestCase {
    private var harness: AgentHarness!
    private var second: Task<Void, Error>?

    override func tearDown() async throws {
        second?.cancel()
        _ = try? await second?.value
        await harness?.tearDown()
    }

    func testANewAgentSendsTheOldOnesSpoolOnceAndNoExpiredAction() async throws {
        harness = try AgentHarness(self, brokerLines: AgentHarness.persistentBroker)
        harness.config.broker.reconnectMaximum = 2
        let first = try await harness.startAgent()
        let inbox = try await harness.persistentWatcher("spool-watcher")

        harness.broker.stop()
        try await waitUntil("the agent sees the broker gone") { first.client.state != .connected }
        let soon = Date().addingTimeInterval(2).timeIntervalSince1970
        let commands = [
            #"{"id":"short","text":"turn on the hall light","expires_at":\#(soon)}"#,
            #"{"id":"plain","text":"turn on the hall light"}"#,
            #"{"id":"long","text":"turn off the hall light","expires_at":\#(soon + 3600)}"#,
        ]
        for command in commands { first.handle(MQTTMessage(topic: harness.topics.command, text: command)) }
        try await waitUntil("results and actions spooled") { first.publisher.spoolDepth == 6 }
        // The first agent goes as if it had crashed: its client never comes back, and its memory is lost.
        first.client.disconnect()
        let file = try SpoolStore(path: harness.config.spoolPath)
        XCTAssertEqual(try file.count, 6)

        try await Task.sleep(for: .seconds(2.2))  // `short` expires
        let service = try AgentRuntime.makeService(config: harness.config, logger: Logger(label: "test.second"))
        XCTAssertEqual(service.publisher.spoolDepth, 5, "the expired action is not taken back")
        try harness.broker.start()
        second = Task { try await service.run() }

        try await waitUntil("every result delivered", timeout: 20) {
            Set(inbox.messages.filter { $0.topic == self.harness.topics.result }.compactMap(resultID)).count == 3
        }
        try await waitUntil("the file emptied by the acknowledgements") { (try? file.count) == 0 }
        try await Task.sleep(for: .milliseconds(500))  // room for a duplicate to show up
        let results = inbox.messages.filter { $0.topic == harness.topics.result }.compactMap(resultID)
        XCTAssertEqual(results.sorted(), ["long", "plain", "short"], "each result exactly once")
        let actions = inbox.messages.filter { $0.topic == "zigbee2mqtt/hall_light/set" }
        XCTAssertEqual(
            actions.compactMap { $0.properties.userProperties.first { $0.name == "id" }?.value }.sorted(),
            ["long/0", "plain/0"], "each live action exactly once, the expired one never")
    }
}
