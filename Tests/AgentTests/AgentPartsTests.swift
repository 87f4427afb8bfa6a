import Foundation
import Logging
import MQTT
import XCTest

@testable import EdgeAgent

/// The agent's parts without a broker: requests, the spool's policy, the worker's bound, the memory gate.
final class AgentPartsTests: XCTestCase {
    private func command(_ text: String, properties: MQTTProperties = MQTTProperties()) -> MQTTMessage {
        MQTTMessageFixture.text("edge/a/cmd", text, properties: properties)
    }

    func testRequestsAreReadFromTextOrJSON() throws {
        XCTAssertEqual(try AgentRequest.parse(command("  lights on \n"), maxBytes: 100).text, "lights on")
        let json = try AgentRequest.parse(
            command(#"{"id":"7","text":"lights on","source":"app","allow_cloud":true,"expires_at":4102444800}"#),
            maxBytes: 200)
        XCTAssertEqual(json.id, "7")
        XCTAssertEqual(json.source, "app")
        XCTAssertEqual(json.allowCloud, true)
        XCTAssertEqual(json.expiresAt, Date(timeIntervalSince1970: 4_102_444_800))
        XCTAssertFalse(json.isExpired())
        let now = Date()
        let expiring = try AgentRequest.parse(
            command("lights on", properties: MQTTProperties(messageExpiryInterval: 5)), maxBytes: 100, now: now)
        XCTAssertEqual(expiring.expiresAt, now.addingTimeInterval(5))
        XCTAssertTrue(expiring.isExpired(now: now.addingTimeInterval(6)))
    }

    func testBadRequestsNameTheProblem() {
        let cases: [(MQTTMessage, String)] = [
            (MQTTMessage(topic: "t", payload: [0xC3, 0x28]), "not valid UTF-8"),
            (command(String(repeating: "x", count: 101)), "101 bytes, over the cap of 100"),
            (command(#"{"text":"x","extra":1}"#), "unknown field 'extra'"),
            (command(#"{"id":3,"text":"x"}"#), "'id' must be a string, got number"),
            (command(#"{"id":"3"}"#), "'text' is missing"),
            (command(#"{"text":"x","expires_at":"soon"}"#), "'expires_at' is 'soon'"),
            (command("   "), "empty"),
        ]
        for (message, problem) in cases {
            XCTAssertThrowsError(try AgentRequest.parse(message, maxBytes: 100)) { error in
                XCTAssert("\(error)".contains(problem), "expected '\(problem)', got '\(error)'")
            }
        }
    }

    func testTheSpoolDropsTelemetryFirstAndNeverSendsLate() {
        func item(_ id: String, _ kind: OutgoingItem.Kind, expires: Date? = nil) -> OutgoingItem {
            OutgoingItem(id: id, kind: kind, topic: "t/\(kind)", payload: [], expiresAt: expires)
        }
        var spool = PublishSpool(capacity: 3)
        XCTAssertEqual(spool.hold(item("r1", .result)), [])
        XCTAssertEqual(spool.hold(item("t1", .telemetry)), [])
        XCTAssertEqual(spool.hold(item("a1", .action, expires: Date().addingTimeInterval(-1))), [])
        XCTAssertEqual(spool.hold(item("r1", .result)), [], "the same id is held once")
        XCTAssertEqual(spool.hold(item("r2", .result)), [.full(item("t1", .telemetry))])
        XCTAssertEqual(spool.hold(item("r3", .result)), [.full(item("r1", .result))])
        let (send, drops) = spool.release(now: Date())
        XCTAssertEqual(send.map(\.id), ["r2", "r3"])
        XCTAssertEqual(drops.map { if case .expired(let i) = $0 { i.id } else { "" } }, ["a1"])
        XCTAssertTrue(spool.isEmpty)
        XCTAssertEqual(spool.hold(item("r4", .result)), [])
        XCTAssertEqual(spool.putBack([item("r2", .result), item("r3", .result)]), [])
        XCTAssertEqual(spool.items.map(\.id), ["r2", "r3", "r4"], "what waited goes first")
    }

    func testTheWorkerRefusesPastItsCapacity() async {
        let worker = InferenceWorker(capacity: 2)
        let gate = DispatchSemaphore(value: 0)
        XCTAssertTrue(worker.submit { gate.wait() })
        XCTAssertTrue(worker.submit {})
        XCTAssertFalse(worker.submit {}, "a third job while two wait or run")
        XCTAssertEqual(worker.depth, 2)
        gate.signal()
        await worker.drain()
        XCTAssertEqual(worker.depth, 0)
        XCTAssertTrue(worker.submit {})
        await worker.drain()
    }

    /// Above the soft mark the model path is refused with reason `memory`; below it again, accepted.
    func testTheMemoryGateRejectsModelWorkAboveTheSoftMark() {
        let marks = MemoryMarks(budgetBytes: 100 << 20)
        let gate = MemoryGate(marks: marks, logger: Logger(label: "test.memory"))
        XCTAssertNil(gate.rejectionForModelWork(id: "a"))
        let soft = gate.observe(MemoryReading(residentBytes: 90 << 20, availableBytes: 1 << 30))
        XCTAssert(soft.contains(.rejectGenerationWork(reason: .memory)), "\(soft)")
        XCTAssertEqual(gate.level, .soft)
        let refusal = gate.rejectionForModelWork(id: "a")
        XCTAssertEqual(refusal?.status, .rejected)
        XCTAssertEqual(refusal?.reason, "memory")
        XCTAssertEqual(refusal?.id, "a")
        XCTAssertEqual(
            gate.observe(MemoryReading(residentBytes: 96 << 20)).first,
            .logTransition(
                from: .soft, to: .hard, cause: "RSS 96.0 MB ≥ hard mark 95.0 MB"))
        XCTAssertEqual(gate.observe(MemoryReading(residentBytes: 90 << 20)), [], "between the marks: stays hard")
        XCTAssert(gate.observe(MemoryReading(residentBytes: 10 << 20)).contains(.acceptAgain))
        XCTAssertNil(gate.rejectionForModelWork(id: "a"))
    }

    func testDeviceStatesKeepTheLastReportPerDevice() throws {
        let states = DeviceStates(catalog: try Catalog(contentsOf: AgentHarness.repositoryFile(AgentHarness.catalog)))
        XCTAssert(states.topics.contains("zigbee2mqtt/front_door_lock"))
        XCTAssertEqual(
            states.record(topic: "zigbee2mqtt/front_door_lock", payload: #"{"state":"UNLOCK"}"#), ["front_door"])
        XCTAssertEqual(
            states.record(topic: "zigbee2mqtt/front_door_lock", payload: #"{"state":"LOCK"}"#), ["front_door"])
        XCTAssertEqual(states.state(of: "front_door"), .object([("state", .string("LOCK"))]))
        XCTAssertEqual(states.record(topic: "somewhere/else", payload: "{}"), [])
        XCTAssertEqual(
            states.report(for: ["front_door", "hall_light"]).text,
            #"{"front_door":{"state":"LOCK"},"hall_light":"unknown"}"#)
    }

    func testDiscoveryDescribesTheStatusAndTelemetrySensors() {
        let identity = AgentReports.Identity(
            agentID: "a", version: "1", model: "m", catalogHash: "h", capabilities: [], board: nil)
        let configs = AgentReports.discovery(identity, topics: AgentTopics(prefix: "edge/a/"), prefix: "homeassistant")
        let status = configs.first { $0.topic == "homeassistant/binary_sensor/edge_agent_a/status/config" }
        XCTAssertEqual(status?.payload["state_topic"], .string("edge/a/status"))
        XCTAssertEqual(status?.payload["payload_on"], .string("online"))
        let uptime = configs.first { $0.topic == "homeassistant/sensor/edge_agent_a/uptime/config" }
        XCTAssertEqual(uptime?.payload["state_topic"], .string("edge/a/telemetry"))
        XCTAssertEqual(uptime?.payload["availability_topic"], .string("edge/a/status"))
        XCTAssertEqual(Set(configs.compactMap { $0.payload["unique_id"]?.string }).count, configs.count)
    }
}
