import Foundation
import Logging
import TestPeers
import XCTest

@testable import MQTT

final class MQTTClientTests: XCTestCase {
    private var broker: MosquittoBroker!
    private var clients: [MQTTClient] = []

    override func setUpWithError() throws {
        broker = try MosquittoBroker(directory: try makeTemporaryDirectory(self))
        try broker.start()
    }

    override func tearDown() {
        for client in clients { client.disconnect() }
        clients = []
        broker?.stop()
    }

    private func makeClient(
        _ id: String, version: MQTTProtocolVersion = .v5, _ adjust: (inout MQTTConfiguration) -> Void = { _ in }
    ) throws -> MQTTClient {
        var configuration = MQTTConfiguration(
            host: "127.0.0.1", port: broker.port, clientID: id, protocolVersion: version,
            backoff: MQTTBackoff(minimum: .seconds(1), maximum: .seconds(2)), timeout: .seconds(10))
        adjust(&configuration)
        let client = try MQTTClient(configuration, logger: Logger(label: "test.\(id)"))
        clients.append(client)
        return client
    }

    func testRoundTripAtEveryQoS() async throws {
        for version in [MQTTProtocolVersion.v5, .v311] {
            let subscriber = try makeClient("sub-\(version)", version: version)
            let publisher = try makeClient("pub-\(version)", version: version)
            let inbox = Inbox(subscriber)
            try await subscriber.connect()
            try await publisher.connect()
            for qos in [MQTTQoS.atMostOnce, .atLeastOnce, .exactlyOnce] {
                let topic = "rt/\(version)/qos\(qos.rawValue)"
                let granted = try await subscriber.subscribe(topic, qos: qos)
                XCTAssertEqual(granted, qos)
                let delivery = try publisher.publish(topic: topic, payload: Array("hello \(qos)".utf8), qos: qos)
                if qos > .atMostOnce {
                    try await delivery.acknowledged()
                }
                let message = try await inbox.first(on: topic)
                XCTAssertEqual(message.text, "hello \(qos)")
                XCTAssertEqual(message.qos, qos)
                XCTAssertFalse(message.retain)
            }
        }
    }

    func testRetainedMessageReachesLateSubscriber() async throws {
        let publisher = try makeClient("pub")
        try await publisher.connect()
        try await publisher.publish(
            topic: "edge/a1/status", payload: Array("online".utf8), qos: .atLeastOnce, retain: true
        )
        .acknowledged()

        let late = try makeClient("late")
        let inbox = Inbox(late)
        try await late.connect()
        try await late.subscribe("edge/+/status", qos: .atLeastOnce)
        let message = try await inbox.first(on: "edge/a1/status")
        XCTAssertEqual(message.text, "online")
        XCTAssertTrue(message.retain)
    }

    func testMQTT5PropertiesRoundTrip() async throws {
        let responder = try makeClient("responder")
        let requester = try makeClient("requester")
        let inbox = Inbox(responder)
        try await responder.connect()
        try await requester.connect()
        try await responder.subscribe("edge/a1/cmd", qos: .atLeastOnce)

        let properties = MQTTProperties(
            responseTopic: "reply/here", correlationData: [0, 1, 2, 0xFF], messageExpiryInterval: 120,
            contentType: "text/plain",
            userProperties: [
                MQTTUserProperty("source", "test"), MQTTUserProperty("source", "twice"), MQTTUserProperty("k", "v"),
            ])
        try await requester.publish(
            topic: "edge/a1/cmd", payload: Array("dim the lamp".utf8), qos: .atLeastOnce, properties: properties
        ).acknowledged()

        let message = try await inbox.first(on: "edge/a1/cmd")
        XCTAssertEqual(message.properties.responseTopic, "reply/here")
        XCTAssertEqual(message.properties.correlationData, [0, 1, 2, 0xFF])
        XCTAssertEqual(message.properties.contentType, "text/plain")
        XCTAssertEqual(message.properties.userProperties, properties.userProperties)
        // The broker forwards the remaining lifetime: at most what was sent, and not much less.
        let expiry = try XCTUnwrap(message.properties.messageExpiryInterval)
        XCTAssert((110...120).contains(expiry), "expiry \(expiry)")
    }

    func testLastWillIsPublishedWhenTheConnectionDiesWithoutDisconnect() async throws {
        let watcher = try makeClient("watcher")
        let inbox = Inbox(watcher)
        try await watcher.connect()
        try await watcher.subscribe("edge/dying/status", qos: .atLeastOnce)

        let dying = try makeClient("dying") {
            $0.will = MQTTOutgoingMessage(
                topic: "edge/dying/status", text: "offline", qos: .atLeastOnce, retain: true,
                properties: MQTTProperties(userProperties: [MQTTUserProperty("reason", "will")]))
            $0.birth = MQTTOutgoingMessage(topic: "edge/dying/status", text: "online", qos: .atLeastOnce, retain: true)
        }
        try await dying.connect()
        _ = try await inbox.first(on: "edge/dying/status") { $0.text == "online" }
        XCTAssertTrue(inbox.messages.allSatisfy { $0.text != "offline" }, "no will while the client lives")

        dying.dropConnectionForTesting()
        let will = try await inbox.first(on: "edge/dying/status") { $0.text == "offline" }
        XCTAssertEqual(will.properties.userProperties, [MQTTUserProperty("reason", "will")])
    }

    func testNoLastWillAfterAGracefulDisconnect() async throws {
        let leaving = try makeClient("leaving") {
            $0.will = MQTTOutgoingMessage(topic: "edge/leaving/status", text: "offline", qos: .atLeastOnce)
        }
        try await leaving.connect()
        let watcher = try makeClient("watcher")
        let inbox = Inbox(watcher)
        try await watcher.connect()
        try await watcher.subscribe("edge/leaving/status", qos: .atLeastOnce)
        leaving.disconnect()
        XCTAssertEqual(leaving.state, .idle)
        try await watcher.publish(topic: "edge/leaving/status", payload: Array("marker".utf8), qos: .atLeastOnce)
            .acknowledged()
        _ = try await inbox.first(on: "edge/leaving/status") { $0.text == "marker" }
        XCTAssertEqual(inbox.messages.compactMap(\.text), ["marker"])
    }

    func testReconnectsAndResubscribesAfterTheBrokerRestarts() async throws {
        let client = try makeClient("survivor") {
            $0.birth = MQTTOutgoingMessage(
                topic: "edge/survivor/status", text: "online", qos: .atLeastOnce, retain: true)
        }
        let inbox = Inbox(client)
        try await client.connect()
        try await client.subscribe("edge/survivor/cmd", qos: .atLeastOnce)
        try await client.subscribe("edge/survivor/status", qos: .atLeastOnce)
        _ = try await inbox.first(on: "edge/survivor/status")

        // The broker has no persistence: after the restart it knows nothing of the client's subscriptions.
        try broker.restart()
        let deadline = Date().addingTimeInterval(10)
        while client.reconnects == 0 || client.state != .connected {
            guard Date() < deadline else { return XCTFail("not reconnected within 10 s; state \(client.state)") }
            try await Task.sleep(for: .milliseconds(50))
        }
        XCTAssertEqual(client.reconnects, 1)

        let peer = try makeClient("peer")
        try await peer.connect()
        // Resubscription follows the CONNACK; retry the publication until it is delivered (bounded).
        let retryUntil = Date().addingTimeInterval(10)
        while !inbox.messages.contains(where: { $0.topic == "edge/survivor/cmd" }) && Date() < retryUntil {
            try await peer.publish(topic: "edge/survivor/cmd", payload: Array("after restart".utf8), qos: .atLeastOnce)
                .acknowledged()
            try await Task.sleep(for: .milliseconds(100))
        }
        let message = try await inbox.first(on: "edge/survivor/cmd", timeout: 1)
        XCTAssertEqual(message.text, "after restart")
        // The birth message was published again on the new connection (retained, so the new broker has it).
        XCTAssertGreaterThanOrEqual(inbox.messages.filter { $0.topic == "edge/survivor/status" }.count, 2)
    }

    func testAnIndependentPeerSeesOurMessagesAndWeSeeTheirs() async throws {
        let client = try makeClient("ours")
        let inbox = Inbox(client)
        try await client.connect()
        try await client.subscribe("peer/to-us", qos: .atLeastOnce)

        try runProgram(
            "/usr/bin/mosquitto_pub",
            [
                "-h", "127.0.0.1", "-p", "\(broker.port)", "-V", "mqttv5", "-q", "1", "-t", "peer/to-us", "-m",
                "from peer",
                "-D", "publish", "user-property", "via", "mosquitto_pub",
            ])
        let theirs = try await inbox.first(on: "peer/to-us")
        XCTAssertEqual(theirs.text, "from peer")
        XCTAssertEqual(theirs.properties.userProperties, [MQTTUserProperty("via", "mosquitto_pub")])

        // mosquitto_sub exits after one message; publish retained so it gets it whenever it has subscribed.
        try await client.publish(topic: "peer/from-us", payload: Array("from us".utf8), qos: .atLeastOnce, retain: true)
            .acknowledged()
        let (status, output) = try runProgram(
            "/usr/bin/mosquitto_sub",
            [
                "-h", "127.0.0.1", "-p", "\(broker.port)", "-V", "mqttv311", "-q", "1", "-t", "peer/from-us", "-C", "1",
                "-W", "10",
            ])
        XCTAssertEqual(status, 0, output)
        XCTAssertEqual(output.trimmingCharacters(in: .whitespacesAndNewlines), "from us")
    }

    func testAPersistentSessionKeepsSubscriptionsAndQueuedMessagesWhileAway() async throws {
        func persistent(_ configuration: inout MQTTConfiguration) {
            configuration.cleanSession = false
            configuration.sessionExpiryInterval = 300
        }
        let first = try makeClient("persistent", persistent)
        try await first.connect()
        try await first.subscribe("edge/p/cmd", qos: .atLeastOnce)
        first.disconnect()

        let peer = try makeClient("peer")
        try await peer.connect()
        try await peer.publish(topic: "edge/p/cmd", payload: Array("while away".utf8), qos: .atLeastOnce)
            .acknowledged()

        // A new client with the same id and no subscribe call of its own gets what the broker queued.
        let second = try makeClient("persistent", persistent)
        let inbox = Inbox(second)
        try await second.connect()
        let queued = try await inbox.first(on: "edge/p/cmd")
        XCTAssertEqual(queued.text, "while away")
    }

    func testConnectingToAPortWithoutBrokerThrowsATypedError() async throws {
        let port = try MosquittoBroker.freePort()
        let client = try MQTTClient(
            MQTTConfiguration(host: "127.0.0.1", port: port, clientID: "nobody"), logger: Logger(label: "test"))
        do {
            try await client.connect()
            XCTFail("connected to a port without a broker")
        } catch {
            XCTAssertEqual(error.libraryCode, 14, "\(error)")  // MOSQ_ERR_ERRNO: connection refused
            XCTAssert(error.description.contains("connect to 127.0.0.1:\(port)"), error.description)
        }
        XCTAssertEqual(client.state, .idle)
    }

    func testQoS0HasNoAcknowledgement() async throws {
        let client = try makeClient("qos0")
        try await client.connect()
        try await client.connect()  // already connected: returns at once, stays connected
        XCTAssertEqual(client.state, .connected)
        let delivery = try client.publish(topic: "x", payload: [1])
        do {
            try await delivery.acknowledged()
            XCTFail("QoS 0 acknowledged")
        } catch {
            XCTAssertEqual(error.kind, .invalidConfiguration)
        }
    }
}
