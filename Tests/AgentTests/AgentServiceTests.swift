import Foundation
import MQTT
import TestPeers
import XCTest

@testable import EdgeAgent

/// The agent service in this process against a real mosquitto, driven by a peer client.
final class AgentServiceTests: XCTestCase {
    private var harness: AgentHarness!

    override func setUp() async throws {
        harness = try AgentHarness(self)
    }

    override func tearDown() async throws {
        await harness.tearDown()
    }

    private func send(_ peer: MQTTClient, _ text: String, properties: MQTTProperties = MQTTProperties()) async throws {
        try await peer.publish(
            topic: harness.topics.command, payload: Array(text.utf8), qos: .atLeastOnce, properties: properties
        ).acknowledged()
    }

    private func listener(_ filters: [String] = []) async throws -> (MQTTClient, Inbox) {
        let peer = try await harness.peer("peer-\(UUID().uuidString.prefix(8))")
        let inbox = Inbox(peer)
        for filter in [harness.topics.result, "zigbee2mqtt/+/set"] + filters {
            try await peer.subscribe(filter, qos: .atLeastOnce)
        }
        return (peer, inbox)
    }

    func testCommandBecomesTheDeviceActionAndAResult() async throws {
        try await harness.startAgent()
        let (peer, inbox) = try await listener()

        try await send(peer, "turn on the hall light")
        let action = try await inbox.first(on: "zigbee2mqtt/hall_light/set")
        XCTAssertEqual(action.text, #"{"state":"ON"}"#)
        let result = try jsonObject(try await inbox.first(on: harness.topics.result))
        XCTAssertEqual(result["status"] as? String, "ok")
        XCTAssertEqual(result["via"] as? String, "rules")
        XCTAssertEqual(result["intents"] as? [String], ["HassTurnOn"])
        XCTAssertNotNil(result["id"] as? String, "a plain-text command gets an id")

        try await send(peer, #"{"id":"c-2","text":"turn off the bedroom lamp","source":"test","allow_cloud":false}"#)
        let off = try await inbox.first(on: "zigbee2mqtt/bedroom_lamp/set")
        XCTAssertEqual(off.text, #"{"state":"OFF"}"#)
        let second = try jsonObject(
            try await inbox.first(on: harness.topics.result) { $0.text?.contains(#""id":"c-2""#) == true })
        XCTAssertEqual(second["status"] as? String, "ok")
    }

    func testQuestionsAreAnsweredFromTheLastReportedState() async throws {
        try await harness.startAgent()
        let (peer, inbox) = try await listener()
        try await peer.publish(
            topic: "zigbee2mqtt/front_door_lock", payload: Array(#"{"state":"LOCK","battery":91}"#.utf8),
            qos: .atLeastOnce
        ).acknowledged()
        let deadline = Date().addingTimeInterval(5)
        while harness.service?.states.state(of: "front_door") == nil && Date() < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        XCTAssertEqual(harness.service?.states.state(of: "front_door")?["state"], .string("LOCK"))

        try await send(peer, #"{"id":"q-1","text":"is the front door locked?"}"#)
        let answer = try jsonObject(try await inbox.first(on: harness.topics.result))
        XCTAssertEqual(answer["queried"] as? [String], ["front_door"])
        let states = answer["states"] as? [String: Any]
        XCTAssertEqual((states?["front_door"] as? [String: Any])?["state"] as? String, "LOCK")
        XCTAssertEqual((states?["front_door"] as? [String: Any])?["battery"] as? Double, 91)

        try await send(peer, #"{"id":"q-2","text":"is the hall light on?"}"#)
        let unknown = try jsonObject(
            try await inbox.first(on: harness.topics.result) { $0.text?.contains(#""id":"q-2""#) == true })
        XCTAssertEqual((unknown["states"] as? [String: Any])?["hall_light"] as? String, "unknown")
        XCTAssert(inbox.messages.allSatisfy { !$0.topic.hasSuffix("/set") }, "a question actuated a device")
    }

    func testMQTT5ResponseTopicAndCorrelationDataAreHonoured() async throws {
        try await harness.startAgent()
        let (peer, inbox) = try await listener(["test/replies/#"])
        try await send(
            peer, "turn on the hall light",
            properties: MQTTProperties(responseTopic: "test/replies/7", correlationData: [0xC0, 0xFF, 0xEE]))
        let reply = try await inbox.first(on: "test/replies/7")
        XCTAssertEqual(reply.properties.correlationData, [0xC0, 0xFF, 0xEE])
        XCTAssertEqual(try jsonObject(reply)["status"] as? String, "ok")
        _ = try await inbox.first(on: "zigbee2mqtt/hall_light/set")
        try await Task.sleep(for: .milliseconds(200))
        XCTAssertNil(inbox.messages.first { $0.topic == harness.topics.result }, "answered on the result topic too")
    }

    func testBadPayloadsGetErrorResultsNamingTheProblemAndTheAgentKeepsServing() async throws {
        harness.config.limits.maxPayloadBytes = 100
        try await harness.startAgent()
        let (peer, inbox) = try await listener()
        let cases: [([UInt8], String)] = [
            ([0x74, 0x75, 0xFF, 0xFE], "not valid UTF-8"),
            (Array(String(repeating: "lights on ", count: 20).utf8), "over the cap of 100"),
            (Array(#"{"id":"u","text":"lights on","colour":"red"}"#.utf8), "unknown field 'colour'"),
            (Array(#"{"id":"t","text":5}"#.utf8), "field 'text' must be a string, got number"),
            (Array(#"{"id":"a","text":"x","allow_cloud":"yes"}"#.utf8), "'allow_cloud' must be a boolean"),
            (Array(#"{"id":"j","text":"#.utf8), "not a JSON object"),
        ]
        for (payload, _) in cases {
            try await peer.publish(topic: harness.topics.command, payload: payload, qos: .atLeastOnce).acknowledged()
        }
        for (_, problem) in cases {
            let result = try jsonObject(
                try await inbox.first(on: harness.topics.result) { $0.text?.contains(problem) == true })
            XCTAssertEqual(result["status"] as? String, "error", problem)
        }
        let named = try jsonObject(
            try await inbox.first(on: harness.topics.result) { $0.text?.contains("colour") == true })
        XCTAssertEqual(named["id"] as? String, "u", "the error result keeps the request's id")

        try await send(peer, "turn on the hall light")
        _ = try await inbox.first(on: "zigbee2mqtt/hall_light/set")
    }

    func testExpiredCommandsAreNeverExecuted() async throws {
        let rules = Interpreter(catalog: try Catalog(contentsOf: harness.config.catalog))
        try await harness.startAgent(
            interpreter: ClosureInterpreter { text, id in
                if text.hasPrefix("slow") { Thread.sleep(forTimeInterval: 1.6) }
                return rules.interpret(text.hasPrefix("slow") ? "turn off the bedroom lamp" : text, id: id)
            })
        let (peer, inbox) = try await listener()

        try await send(peer, #"{"id":"old","text":"turn on the hall light","expires_at":"2001-01-01T00:00:00Z"}"#)
        let old = try jsonObject(
            try await inbox.first(on: harness.topics.result) { $0.text?.contains(#""id":"old""#) == true })
        XCTAssertEqual(old["status"] as? String, "expired")

        // MQTT 5 message expiry: one second left on arrival, spent waiting behind a slow command.
        try await send(peer, #"{"id":"slow","text":"slow"}"#)
        try await send(
            peer, #"{"id":"late","text":"turn on the hall light"}"#,
            properties: MQTTProperties(messageExpiryInterval: 1))
        let late = try jsonObject(
            try await inbox.first(on: harness.topics.result) { $0.text?.contains(#""id":"late""#) == true })
        XCTAssertEqual(late["status"] as? String, "expired")
        _ = try await inbox.first(on: "zigbee2mqtt/bedroom_lamp/set")
        XCTAssertNil(inbox.messages.first { $0.topic == "zigbee2mqtt/hall_light/set" }, "an expired command ran")
    }

    func testAFullQueueAnswersBusy() async throws {
        harness.config.limits.queueCapacity = 1
        let rules = Interpreter(catalog: try Catalog(contentsOf: harness.config.catalog))
        try await harness.startAgent(
            interpreter: ClosureInterpreter { text, id in
                Thread.sleep(forTimeInterval: 0.6)
                return rules.interpret(text, id: id)
            })
        let (peer, inbox) = try await listener()
        for n in 1...3 { try await send(peer, #"{"id":"b\#(n)","text":"turn on the hall light"}"#) }
        var statuses: [String: (String?, String?)] = [:]
        for n in 1...3 {
            let result = try jsonObject(
                try await inbox.first(on: harness.topics.result) { $0.text?.contains(#""id":"b\#(n)""#) == true })
            statuses["b\(n)"] = (result["status"] as? String, result["reason"] as? String)
        }
        XCTAssertEqual(statuses["b1"]?.0, "ok")
        XCTAssertEqual(statuses["b2"]?.0, "rejected")
        XCTAssertEqual(statuses["b2"]?.1, "busy")
        XCTAssertEqual(statuses["b3"]?.1, "busy")
        let actions = inbox.messages.filter { $0.topic == "zigbee2mqtt/hall_light/set" }
        XCTAssertEqual(actions.count, 1, "a busy command was executed")
    }

    /// A graceful stop finishes the commands already queued, publishes their results, and only then `offline`.
    func testAGracefulStopFinishesQueuedCommandsBeforeOffline() async throws {
        let rules = Interpreter(catalog: try Catalog(contentsOf: harness.config.catalog))
        let service = try await harness.startAgent(
            interpreter: ClosureInterpreter { text, id in
                Thread.sleep(forTimeInterval: 0.3)
                return rules.interpret(text, id: id)
            })
        let (peer, inbox) = try await listener([harness.topics.status])
        for n in 1...3 { try await send(peer, #"{"id":"s\#(n)","text":"turn on the hall light"}"#) }
        let deadline = Date().addingTimeInterval(5)
        while service.worker.depth < 3 && Date() < deadline { try await Task.sleep(for: .milliseconds(10)) }
        XCTAssertEqual(service.worker.depth, 3, "the commands did not reach the queue")
        await harness.stopAgent()

        let offline = try await inbox.first(on: harness.topics.status) { $0.text == "offline" }
        let messages = inbox.messages
        let offlineIndex = try XCTUnwrap(messages.firstIndex(of: offline))
        for n in 1...3 {
            let index = messages.firstIndex { $0.topic == harness.topics.result && $0.text?.contains("s\(n)") == true }
            XCTAssertNotNil(index, "no result for s\(n)")
            XCTAssertLessThan(index ?? .max, offlineIndex, "s\(n) answered after offline")
        }
    }

    func testTelemetryReportsCommandsAndTheQueue() async throws {
        harness.config.telemetry.interval = 0.3
        try await harness.startAgent()
        let (peer, inbox) = try await listener([harness.topics.telemetry])
        try await send(peer, "turn on the hall light")
        _ = try await inbox.first(on: harness.topics.result)
        let report = try jsonObject(
            try await inbox.first(on: harness.topics.telemetry) { $0.text?.contains(#""commands_total":1"#) == true })
        XCTAssertEqual((report["commands"] as? [String: Any]).flatMap { $0["by_path"] as? [String: Int] }, ["rules": 1])
        XCTAssertNotNil((report["latency_ms"] as? [String: Any])?["p50"] as? Double)
        XCTAssertGreaterThan(report["rss_bytes"] as? Double ?? 0, 1_000_000)
        for key in ["uptime_s", "queue_depth", "spool_depth", "broker_reconnects", "memory_level", "model"] {
            XCTAssertNotNil(report[key], key)
        }
    }
}
