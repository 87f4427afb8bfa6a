import Foundation
import TestPeers
import XCTest

@testable import EdgeAgent

/// Rhasspy Hermes over a real broker, with mosquitto's own clients as the independent peer. The query payload is
/// what `rhasspy-hermes`' `NluQuery(...).payload()` writes; the reply's field set is what its `NluIntent` and
/// `NluIntentNotRecognized` write.
final class HermesTests: XCTestCase {
    private var harness: AgentHarness!

    static let intentFields: Set<String> = [
        "input", "intent", "siteId", "id", "slots", "sessionId", "customData", "asrTokens", "asrConfidence",
        "rawInput", "wakewordId", "lang",
    ]
    static let notRecognizedFields: Set<String> = ["input", "siteId", "id", "customData", "sessionId"]

    override func setUp() async throws {
        harness = try AgentHarness(self)
    }

    override func tearDown() async throws {
        await harness.tearDown()
    }

    private func query(_ input: String, site: String, id: String, filter: String = "null") -> String {
        #"{"input": "\#(input)", "siteId": "\#(site)", "id": "\#(id)", "intentFilter": \#(filter), "sessionId": "s-\#(id)", "wakewordId": null, "lang": null, "customData": "cd-\#(id)", "asrConfidence": null, "customEntities": null}"#
    }

    func testQueriesBecomeIntentsOrNotRecognizedForTheConfiguredSites() async throws {
        harness.config.hermes.siteIDs = ["kitchen"]
        try await harness.startAgent()
        let devices = try await harness.peer("hermes-devices")
        let actions = Inbox(devices)
        try await devices.subscribe("zigbee2mqtt/+/set", qos: .atLeastOnce)
        let port = "\(harness.broker.port)"
        // The independent peer: mosquitto_sub prints the next three replies as "topic payload" lines.
        let subscriber = Process()
        subscriber.executableURL = URL(fileURLWithPath: "/usr/bin/mosquitto_sub")
        subscriber.arguments = [
            "-p", port, "-V", "5", "-v", "-C", "3", "-W", "15", "-t", "hermes/intent/#", "-t",
            "hermes/nlu/intentNotRecognized",
        ]
        let output = Pipe()
        subscriber.standardOutput = output
        try subscriber.run()
        try await Task.sleep(for: .milliseconds(400))

        let queries = [
            query("turn off the bedroom lamp", site: "garage", id: "other-site"),  // not ours: no answer
            query("turn off the bedroom lamp", site: "kitchen", id: "h1"),
            query("turn on the hall light", site: "kitchen", id: "h2", filter: #"["HassLightSet"]"#),
            query("tell me a joke", site: "kitchen", id: "h3"),
        ]
        for payload in queries {
            let (status, text) = try runProgram(
                "/usr/bin/mosquitto_pub", ["-p", port, "-V", "5", "-q", "1", "-t", "hermes/nlu/query", "-m", payload])
            XCTAssertEqual(status, 0, text)
        }
        let deadline = Date().addingTimeInterval(15)
        while subscriber.isRunning && Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
        if subscriber.isRunning { subscriber.terminate() }
        let lines = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 3, "\(lines)")
        var replies: [String: (topic: String, body: [String: Any])] = [:]
        for line in lines {
            guard let space = line.firstIndex(of: " ") else { continue }
            let body = try JSONSerialization.jsonObject(with: Data(line[line.index(after: space)...].utf8))
            guard let body = body as? [String: Any], let id = body["id"] as? String else { continue }
            replies[id] = (String(line[..<space]), body)
        }
        XCTAssertNil(replies["other-site"], "answered a site that is not configured")

        let intent = try XCTUnwrap(replies["h1"])
        XCTAssertEqual(intent.topic, "hermes/intent/HassTurnOff")
        XCTAssertEqual(Set(intent.body.keys), Self.intentFields)
        XCTAssertEqual((intent.body["intent"] as? [String: Any])?["intentName"] as? String, "HassTurnOff")
        XCTAssertEqual(intent.body["siteId"] as? String, "kitchen")
        XCTAssertEqual(intent.body["sessionId"] as? String, "s-h1")
        XCTAssertEqual(intent.body["customData"] as? String, "cd-h1")
        XCTAssert(intent.body["lang"] is NSNull, "an unset field is null")
        let slot = try XCTUnwrap((intent.body["slots"] as? [[String: Any]])?.first)
        XCTAssertEqual(slot["slotName"] as? String, "name")
        XCTAssertEqual((slot["value"] as? [String: Any])?["value"] as? String, "bedroom_lamp")

        let lamp = try await actions.first(on: "zigbee2mqtt/bedroom_lamp/set")
        XCTAssertEqual(lamp.text, #"{"state":"OFF"}"#, "the recognised intent is executed")
        XCTAssertEqual(actions.messages.count, 1, "only h1 executes: \(actions.messages.map(\.topic))")

        for id in ["h2", "h3"] {  // filtered out; not a command
            let reply = try XCTUnwrap(replies[id], id)
            XCTAssertEqual(reply.topic, "hermes/nlu/intentNotRecognized", id)
            XCTAssertEqual(Set(reply.body.keys), Self.notRecognizedFields, id)
        }
    }

    /// Several actions make one intent, named by the first; the slots of every action follow in order.
    func testAMultiActionResultIsOneIntentWithEverySlot() throws {
        let catalog = try Catalog(contentsOf: harness.config.catalog)
        var result = Interpretation(
            id: "m", status: .ok, intents: ["HassLightSet", "HassLock"], actions: [], queried: [], via: "rules",
            confidence: 0.9, latencyMs: 1, reason: nil, candidates: [])
        result.resolved = [
            Action(.lightSet, devices: ["bedroom_lamp"], value: 30, unit: .percent),
            Action(.lock, devices: ["front_door"]),
        ]
        let query = HermesNLU.Query(input: "dim the lamp and lock up", siteID: "default")
        let reply = HermesNLU.reply(to: query, result: result, catalog: catalog)
        XCTAssertEqual(reply.topic, "hermes/intent/HassLightSet")
        guard case .array(let slots)? = reply.payload["slots"] else {
            return XCTFail("no slots: \(reply.payload.text)")
        }
        XCTAssertEqual(slots.map { $0["slotName"] }, [.string("name"), .string("brightness"), .string("name")])
        XCTAssertEqual(
            slots.map { $0["value"]?["value"] }, [.string("bedroom_lamp"), .number(30), .string("front_door")])
        XCTAssertEqual(slots[1]["value"]?["kind"], .string("Number"))
    }

    func testQueryFieldsAreReadAndUnknownOnesRefused() throws {
        let message = MQTTMessageFixture.text(
            "hermes/nlu/query", query("lights on", site: "default", id: "x", filter: #"["HassTurnOn"]"#))
        let parsed = try HermesNLU.parse(message, maxBytes: 4096)
        XCTAssertEqual(parsed.intentFilter, ["HassTurnOn"])
        XCTAssertEqual(parsed.sessionID, "s-x")
        XCTAssertThrowsError(
            try HermesNLU.parse(MQTTMessageFixture.text("hermes/nlu/query", #"{"input":"x","site":"a"}"#), maxBytes: 99)
        ) { error in
            XCTAssert("\(error)".contains("unknown field 'site'"), "\(error)")
        }
        XCTAssertThrowsError(
            try HermesNLU.parse(MQTTMessageFixture.text("hermes/nlu/query", #"{"input":3}"#), maxBytes: 99))
    }
}
