import Foundation
import MQTT
import TestPeers
import XCTest

@testable import EdgeAgent

/// The broker goes away for 10 s while the agent answers commands: what it produced meanwhile waits in the spool
/// and arrives after the reconnection, once per id.
final class AgentBrokerRestartTests: XCTestCase {
    private var harness: AgentHarness!

    override func tearDown() async throws {
        await harness?.tearDown()
    }

    func testWhatIsProducedWhileTheBrokerIsDownArrivesOncePerIdAfterItReturns() async throws {
        // The broker keeps the watcher's persistent session across its restart, so the test sees everything sent
        // after the agent's reconnection whichever of the two reconnects first.
        harness = try AgentHarness(self, brokerLines: AgentHarness.persistentBroker)
        harness.config.broker.reconnectMaximum = 2
        let service = try await harness.startAgent()
        let inbox = try await harness.persistentWatcher("restart-watcher")

        let stoppedAt = Date()
        harness.broker.stop()
        try await waitUntil("the agent sees the broker gone") { service.client.state != .connected }
        let ids = (1...10).map { "r\($0)" }
        for id in ids {
            service.handle(
                MQTTMessage(topic: harness.topics.command, text: #"{"id":"\#(id)","text":"turn on the hall light"}"#))
        }
        try await waitUntil("results and actions spooled") { service.publisher.spoolDepth == 20 }
        XCTAssertTrue(inbox.messages.isEmpty, "something arrived while the broker was down")
        try await Task.sleep(for: .seconds(max(0, 10 - Date().timeIntervalSince(stoppedAt))))
        try harness.broker.start()

        try await waitUntil("every result delivered", timeout: 20) {
            Set(inbox.messages.filter { $0.topic == self.harness.topics.result }.compactMap(resultID)).count == 10
        }
        try await Task.sleep(for: .milliseconds(500))  // room for a duplicate to show up
        let results = inbox.messages.filter { $0.topic == harness.topics.result }.compactMap(resultID)
        XCTAssertEqual(results.sorted(), ids.sorted(), "each result exactly once")
        let actions = inbox.messages.filter { $0.topic == "zigbee2mqtt/hall_light/set" }
        XCTAssertEqual(
            actions.compactMap { $0.properties.userProperties.first { $0.name == "id" }?.value }.sorted(),
            ids.map { "\($0)/0" }.sorted(), "each action exactly once")
        XCTAssertEqual(service.publisher.spoolDepth, 0)
        XCTAssertGreaterThanOrEqual(service.client.reconnects, 1)
    }
}
