import Foundation
import TestPeers
import XCTest

@testable import EdgeAgent

/// The cloud path end to end against the project's test server: escalation, validation, redaction, budgets, the
/// outbox across a pulled cable, expiry and learning.
final class CloudEscalatorTests: XCTestCase {
    static let catalogPath = AskCommandTests.catalog
    /// Words the fast-path matcher does not understand, and what the test server's "cloud" makes of them.
    static let dark = "I want to read in the lounge"
    nonisolated(unsafe) static let darkAnswer: [String: Any] = [
        "actions": [["intent": "HassTurnOn", "devices": ["living_room_lamp"]]]
    ]
    static let garage = "make sure nobody can drive in tonight"
    nonisolated(unsafe) static let garageAnswer: [String: Any] = [
        "actions": [["intent": "HassCloseCover", "devices": ["garage_door"]]]
    ]
    static let thirsty = "the garden is parched, do something"
    nonisolated(unsafe) static let thirstyAnswer: [String: Any] = [
        "actions": [["intent": "HassTurnOn", "devices": ["sprinkler"]]]
    ]

    var server: CloudTestServer!
    var tree: FixtureTree!
    var catalog: Catalog!
    var interpreter: Interpreter!
    let clock = TestClock(1_800_000_000)

    override func setUpWithError() throws {
        server = try CloudTestServer()
        try server.start()
        try server.control([
            "answers": [Self.dark: Self.darkAnswer, Self.garage: Self.garageAnswer, Self.thirsty: Self.thirstyAnswer]
        ])
        tree = try FixtureTree()
        catalog = try Catalog(contentsOf: Self.catalogPath)
        interpreter = Interpreter(catalog: catalog)
    }

    override func tearDown() {
        server.stop()
        server = nil
        tree = nil
    }

    func configuration(
        policy: CloudPolicy = CloudPolicy(), redaction: RedactionRules = RedactionRules(),
        outbox: OutboxSettings = OutboxSettings(), timeout: Duration = .seconds(2)
    ) -> CloudConfiguration {
        CloudConfiguration(
            endpoint: CloudEndpoint(
                baseURL: server.baseURL, model: "test-model", apiKey: .environment("EDGE_TEST_KEY"),
                connectTimeout: .milliseconds(500), timeout: timeout, maxTokens: 200),
            policy: policy, redaction: redaction, outbox: outbox, statePath: tree.root + "/cloud.sqlite")
    }

    func escalator(_ configuration: CloudConfiguration, catalog: Catalog? = nil) throws -> CloudEscalator {
        try CloudEscalator(
            configuration: configuration, catalog: catalog ?? self.catalog,
            environment: ["EDGE_TEST_KEY": "sk-test-never-logged"],
            connectivity: Connectivity(initialBackoff: .milliseconds(50), maxBackoff: .milliseconds(200)),
            delivery: OutboxDelivery(initialDelay: .milliseconds(50), maxDelay: .milliseconds(200)), now: clock.read)
    }

    func request(_ id: String) -> EscalationRequest {
        EscalationRequest(id: id, replyRoute: ReplyRoute(topic: "edge/test/result", correlationData: Array(id.utf8)))
    }

    func testLowConfidenceEscalatesAndTheAnswerIsValidated() async throws {
        let local = interpreter.interpret(Self.dark)
        XCTAssertNotEqual(local.status, .ok, "the fast path should not understand this: \(local)")
        let cloud = try escalator(configuration())
        let result = await cloud.escalate(text: Self.dark, local: local, request: request("c1"))
        await cloud.shutdown()
        XCTAssertEqual(result.status, .ok, result.reason ?? "")
        XCTAssertEqual(result.via, "cloud")
        XCTAssertEqual(result.id, "c1")
        XCTAssertEqual(result.actions.map(\.topic), ["zigbee2mqtt/living_room_lamp/set"])
        let seen = try server.requests()
        XCTAssertEqual(seen.count, 1)
        XCTAssertEqual(seen.first?["idempotency_key"] as? String, "c1")
        XCTAssertEqual(seen.first?["authorization"] as? String, "Bearer sk-test-never-logged")
        let format = (seen.first?["body"] as? [String: Any])?["response_format"] as? [String: Any]
        XCTAssertEqual(format?["type"] as? String, "json_schema")
    }

    func testHighConfidenceLocalAnswerStaysLocalWithItsReason() async throws {
        let local = interpreter.interpret("turn off the kitchen light")
        XCTAssertEqual(local.status, .ok)
        let cloud = try escalator(configuration())
        let result = await cloud.escalate(text: "turn off the kitchen light", local: local, request: request("l1"))
        await cloud.shutdown()
        XCTAssertEqual(result.via, "rules")
        XCTAssertTrue(
            result.reason?.contains("cloud not asked: local answer is ok with confidence") ?? false, "\(result)")
        XCTAssertEqual(try server.requests().count, 0)
    }

    func testAnswersOutsideTheCatalogOrPolicyAreRejected() async throws {
        let cloud = try escalator(configuration(policy: CloudPolicy(deny: .init(devices: ["garage_door"]))))
        let local = interpreter.interpret(Self.dark)
        try server.control(["faults": ["unknown_device"]])
        let unknown = await cloud.escalate(text: Self.dark, local: local, request: request("r1"))
        XCTAssertEqual(unknown.status, .rejected)
        XCTAssertTrue(unknown.actions.isEmpty)
        XCTAssertTrue(unknown.reason?.contains("no device or scene 'garage_flamethrower'") ?? false, "\(unknown)")
        let denied = await cloud.escalate(
            text: Self.garage, local: interpreter.interpret(Self.garage), request: request("r2"))
        await cloud.shutdown()
        XCTAssertEqual(denied.status, .rejected)
        XCTAssertEqual(denied.reason, "the cloud's answer is refused: device garage_door is denied by policy")
    }

    func testPreferAsksTheCloudFirstAndKeepsTheLocalAnswerWhenOffline() async throws {
        let text = "turn off the kitchen light"
        try server.control([
            "answers": [text: ["actions": [["intent": "HassTurnOff", "devices": ["kitchen_ceiling"]]]]]
        ])
        let cloud = try escalator(configuration(policy: CloudPolicy(mode: .prefer)))
        let online = await cloud.escalate(text: text, local: interpreter.interpret(text), request: request("pr1"))
        XCTAssertEqual(online.via, "cloud")
        XCTAssertEqual(online.actions.map(\.device), ["kitchen_ceiling"])
        try cloud.learnedCommands.forget(key: nil)
        server.stop()
        let offline = await cloud.escalate(text: text, local: interpreter.interpret(text), request: request("pr2"))
        await cloud.shutdown()
        XCTAssertEqual(offline.status, .ok)
        XCTAssertEqual(offline.via, "rules")
        XCTAssertTrue(offline.reason?.contains("the local answer stands") ?? false, "\(offline)")
        XCTAssertEqual(try cloud.outbox.count, 0, "an answered command is not queued")
    }

    func testPolicyDenialIsRecordedAndNothingLeaves() async throws {
        let cloud = try escalator(configuration(policy: CloudPolicy(mode: .never)))
        let result = await cloud.escalate(
            text: Self.dark, local: interpreter.interpret(Self.dark), request: request("p1"))
        let status = await cloud.status()
        await cloud.shutdown()
        XCTAssertTrue(result.reason?.hasSuffix("cloud not asked: cloud mode is never") ?? false, "\(result)")
        XCTAssertEqual(status.lastDecision, "cloud mode is never")
        XCTAssertEqual(try server.requests().count, 0)
    }

    func testRedactedValuesNeverReachTheServerAndComeBackInTheAnswer() async throws {
        let text = "email the report to jane.doe@example.com from 10.0.0.7, tell Marguerite, call 0151 2345 6789"
        try server.control([
            "forbidden": ["jane.doe@example.com", "10.0.0.7", "Marguerite", "0151 2345 6789", "sk-test-never-logged"],
            "answers": [
                "email the report to <email_1> from <ip_1>, tell <name_1>, call <phone_1>": [
                    "actions": [["intent": "NotACommand"]], "answer": "I cannot e-mail <EMAIL_1> or tell <NAME_1>.",
                ]
            ],
        ])
        let cloud = try escalator(
            configuration(policy: CloudPolicy(questions: true), redaction: RedactionRules(names: ["Marguerite"])))
        let result = await cloud.escalate(text: text, local: interpreter.interpret(text), request: request("x1"))
        await cloud.shutdown()
        XCTAssertEqual(try server.violations(), [])
        XCTAssertEqual(
            try server.userTexts(), ["email the report to <EMAIL_1> from <IP_1>, tell <NAME_1>, call <PHONE_1>"])
        XCTAssertEqual(result.status, .ok)
        XCTAssertEqual(result.intents, ["NotACommand"])
        XCTAssertEqual(result.reason, "I cannot e-mail jane.doe@example.com or tell Marguerite.")
    }

    func testBudgetIsSpentPersistedAndResetTheNextDay() async throws {
        let config = configuration(policy: CloudPolicy(requestsPerDay: 2, tokensPerDay: nil))
        var cloud = try escalator(config)
        for (id, text) in [("b1", Self.dark), ("b2", Self.garage)] {
            let result = await cloud.escalate(text: text, local: interpreter.interpret(text), request: request(id))
            XCTAssertEqual(result.via, "cloud")
        }
        await cloud.shutdown()
        cloud = try escalator(config)  // a restart: the counters are on disk
        let spent = await cloud.escalate(
            text: Self.thirsty, local: interpreter.interpret(Self.thirsty), request: request("b3"))
        XCTAssertTrue(spent.reason?.hasSuffix("cloud not asked: daily request budget spent (2/2)") ?? false, "\(spent)")
        let status = await cloud.status()
        XCTAssertEqual(status.requestsToday, 2)
        XCTAssertGreaterThan(status.tokensToday, 100)
        clock.advance(86_400)
        let nextDay = await cloud.escalate(
            text: Self.thirsty, local: interpreter.interpret(Self.thirsty), request: request("b4"))
        await cloud.shutdown()
        XCTAssertEqual(nextDay.via, "cloud", "\(nextDay)")
        XCTAssertEqual(try server.requests().count, 3)
    }

    /// Pull the cable, queue, plug it back: every queued id is answered exactly once, through its reply route.
    func testOfflineQueuesAndReplaysExactlyOnePerID() async throws {
        let cloud = try escalator(configuration(outbox: OutboxSettings(deviceActionExpiry: .seconds(30))))
        server.stop()
        let ids = ["o1", "o2", "o3"]
        for id in ids {
            let result = await cloud.escalate(
                text: Self.dark, local: interpreter.interpret(Self.dark), request: request(id))
            XCTAssertEqual(result.status, .deferred, "\(result)")
        }
        // A retried command with the same id stays one item.
        let again = await cloud.escalate(
            text: Self.dark, local: interpreter.interpret(Self.dark), request: request("o1"))
        XCTAssertEqual(again.status, .deferred)
        let link = await cloud.link
        XCTAssertEqual(link, .offline)
        let answers = Answers()
        _ = await cloud.drainOnce(deliver: answers.add)
        XCTAssertEqual(answers.all.count, 0, "nothing is answered while offline")
        XCTAssertEqual(try cloud.outbox.count, 3)

        try server.start()
        try server.control(["answers": [Self.dark: Self.darkAnswer]])
        let drain = Task { await cloud.run(deliver: answers.add, pollInterval: .milliseconds(20)) }
        try await waitFor { answers.all.count >= 3 }  // the test clock moves 50 ms a check: probes are due
        try await Task.sleep(for: .milliseconds(300))
        drain.cancel()
        await drain.value
        await cloud.shutdown()
        XCTAssertEqual(answers.all.compactMap(\.1.id).sorted(), ids)
        XCTAssertTrue(answers.all.allSatisfy { $0.1.status == .ok && $0.1.via == "cloud" })
        XCTAssertEqual(
            answers.all.map { $0.0.correlationData.map { String(decoding: $0, as: UTF8.self) } }.sorted {
                ($0 ?? "") < ($1 ?? "")
            }, ids)
        XCTAssertEqual(try cloud.outbox.count, 0)
        XCTAssertEqual(Set(try server.requests().compactMap { $0["idempotency_key"] as? String }), Set(ids))
    }

    func testQueuedDeviceActionExpiresAndIsNeverExecuted() async throws {
        let cloud = try escalator(configuration(outbox: OutboxSettings(deviceActionExpiry: .seconds(30))))
        server.stop()
        let queued = await cloud.escalate(
            text: Self.garage, local: interpreter.interpret(Self.garage), request: request("e1"))
        XCTAssertEqual(queued.status, .deferred)
        XCTAssertTrue(queued.reason?.contains("expires in 30 s") ?? false, "\(queued)")
        try server.start()
        clock.advance(31)
        let answers = Answers()
        _ = await cloud.drainOnce(deliver: answers.add)
        _ = await cloud.drainOnce(deliver: answers.add)
        await cloud.shutdown()
        XCTAssertEqual(answers.all.count, 1)
        XCTAssertEqual(answers.all.first?.1.status, .expired)
        XCTAssertEqual(answers.all.first?.1.actions, [])
        XCTAssertEqual(answers.all.first?.0.topic, "edge/test/result")
        XCTAssertEqual(try server.requests().count, 0, "an expired action is not even asked for")
    }

    func testTransientFailuresRetryHonouringRetryAfter() async throws {
        let cloud = try escalator(configuration(timeout: .milliseconds(400)))
        try server.control(["faults": ["429:0.3"]])
        let first = await cloud.escalate(
            text: Self.dark, local: interpreter.interpret(Self.dark), request: request("t1"))
        XCTAssertEqual(first.status, .deferred, "\(first)")
        XCTAssertTrue(first.reason?.contains("HTTP 429") ?? false)
        let answers = Answers()
        _ = await cloud.drainOnce(deliver: answers.add)
        XCTAssertEqual(answers.all.count, 0, "not before Retry-After")
        clock.advance(0.35)
        _ = await cloud.drainOnce(deliver: answers.add)
        XCTAssertEqual(answers.all.map(\.1.status), [.ok])
        // A hang past the timeout and a malformed answer are typed, never published.
        try server.control(["faults": ["hang:3"]])
        let hung = await cloud.escalate(
            text: Self.garage, local: interpreter.interpret(Self.garage), request: request("t2"))
        XCTAssertEqual(hung.status, .deferred)
        XCTAssertTrue(hung.reason?.contains("did not answer within 0.4 s") ?? false, "\(hung)")
        try server.control(["faults": ["malformed"]])
        let local = interpreter.interpret(Self.dark)
        let malformed = await cloud.escalate(text: Self.dark + " now", local: local, request: request("t3"))
        await cloud.shutdown()
        XCTAssertEqual(malformed.status, local.status)
        XCTAssertTrue(malformed.actions.isEmpty)
        XCTAssertTrue(malformed.reason?.contains("not a chat completion") ?? false, "\(malformed)")
    }

    func testLearnedAnswerIsUsedOfflineAndForgottenWhenTheCatalogChanges() async throws {
        var cloud = try escalator(configuration())
        let first = await cloud.escalate(
            text: Self.dark, local: interpreter.interpret(Self.dark), request: request("k1"))
        XCTAssertEqual(first.via, "cloud")
        await cloud.shutdown()
        server.stop()
        cloud = try escalator(configuration())
        let text = "please, " + Self.dark.uppercased()
        let second = await cloud.escalate(text: text, local: interpreter.interpret(text), request: request("k2"))
        XCTAssertEqual(second.status, .ok, "\(second)")
        XCTAssertEqual(second.via, "learned")
        XCTAssertEqual(second.actions, first.actions)
        XCTAssertEqual(try cloud.learnedCommands.list().first?.uses, 1)
        await cloud.shutdown()

        // The lamp moves to another topic: the entry no longer describes the home and is dropped.
        let yaml = try String(contentsOfFile: Self.catalogPath, encoding: .utf8).replacingOccurrences(
            of: "topic: zigbee2mqtt/living_room_lamp/set", with: "topic: zigbee2mqtt/lamp_42/set")
        let changed = try Catalog(yaml: yaml)
        cloud = try escalator(configuration(), catalog: changed)
        let stale = await cloud.learned(Self.dark)
        await cloud.shutdown()
        XCTAssertNil(stale)
        XCTAssertEqual(try cloud.learnedCommands.list().count, 0)
    }

    func testResponseFormatFallsBackWhenTheEndpointRefusesIt() async throws {
        try server.control([
            "answers": [Self.dark: Self.darkAnswer], "sticky": ["refuse_schema", "refuse_json_object"],
        ])
        let cloud = try escalator(configuration())
        let result = await cloud.escalate(
            text: Self.dark, local: interpreter.interpret(Self.dark), request: request("f1"))
        let status = await cloud.status()
        await cloud.shutdown()
        XCTAssertEqual(result.status, .ok, "\(result)")
        XCTAssertEqual(status.responseFormat, "prompted")
        let formats = try server.requests().map {
            (($0["body"] as? [String: Any])?["response_format"] as? [String: Any])?["type"] as? String ?? "none"
        }
        XCTAssertEqual(formats, ["json_schema", "json_object", "none"])
    }

    func waitFor(_ condition: @escaping () -> Bool, timeout: Duration = .seconds(10)) async throws {
        let deadline = ContinuousClock.now + timeout
        while !condition() {
            guard ContinuousClock.now < deadline else { throw CloudTestServer.ServerError("timed out waiting") }
            try await Task.sleep(for: .milliseconds(20))
            clock.advance(0.05)
        }
    }
}

/// A clock the test moves: wall-clock seconds that only change when told.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Double
    init(_ start: Double) { value = start }
    var read: @Sendable () -> Double { { [self] in lock.withLock { value } } }
    func advance(_ seconds: Double) { lock.withLock { value += seconds } }
}

/// What the drain loop delivered, in order.
final class Answers: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [(ReplyRoute, Interpretation)] = []
    var all: [(ReplyRoute, Interpretation)] { lock.withLock { items } }
    var add: CloudEscalator.Deliver { { [self] route, result in lock.withLock { items.append((route, result)) } } }
}
