import TestPeers
import XCTest

@testable import EdgeAgent

/// Every rule of the cloud policy, without a network: each denial names its rule.
final class CloudPolicyTests: XCTestCase {
    func request(
        kind: EscalationKind = .deviceCommand, status: Interpretation.Status = .unrecognized, confidence: Double = 0.2,
        scope: CloudPolicy.Scope = CloudPolicy.Scope(), allowCloud: Bool? = nil, payload: Int = 1000, tokens: Int = 500
    ) -> CloudPolicy.Request {
        CloudPolicy.Request(
            kind: kind, localStatus: status, localConfidence: confidence, scope: scope, allowCloud: allowCloud,
            payloadBytes: payload, estimatedTokens: tokens)
    }

    func decide(
        _ policy: CloudPolicy, _ request: CloudPolicy.Request, usage: CloudPolicy.Usage = .init(), minute: Int = 720
    )
        -> CloudPolicy.Decision
    {
        policy.decide(request, usage: usage, minuteOfDay: minute)
    }

    func testFallbackEscalatesOnlyWhatTheDeviceCannotHandle() {
        let policy = CloudPolicy(mode: .fallback, confidenceThreshold: 0.6)
        XCTAssertEqual(decide(policy, request(status: .unrecognized)).reason, "local answer is unrecognized")
        XCTAssertTrue(decide(policy, request(status: .ambiguous)).allowed)
        let low = decide(policy, request(status: .ok, confidence: 0.4))
        XCTAssertTrue(low.allowed)
        XCTAssertEqual(low.reason, "local confidence 0.40 < 0.60")
        let high = decide(policy, request(status: .ok, confidence: 0.95))
        XCTAssertFalse(high.allowed)
        XCTAssertEqual(high.reason, "local answer is ok with confidence 0.95 ≥ 0.60")
        XCTAssertEqual(decide(policy, request(status: .rejected, confidence: 0.3)).reason, "local answer is rejected")
    }

    func testNeverAndPrefer() {
        XCTAssertEqual(
            decide(CloudPolicy(mode: .never), request()), .init(allowed: false, reason: "cloud mode is never"))
        XCTAssertEqual(
            decide(CloudPolicy(mode: .prefer), request(status: .ok, confidence: 1)),
            .init(allowed: true, reason: "cloud mode is prefer"))
    }

    func testRequestCanKeepItselfLocal() {
        XCTAssertEqual(
            decide(CloudPolicy(), request(allowCloud: false)).reason, "the request says allow_cloud: false")
    }

    func testQuestionsSwitchAndMeteredLink() {
        let question = request(kind: .question, status: .ok, confidence: 0.9)
        XCTAssertEqual(
            decide(CloudPolicy(questions: false), question).reason,
            "free-form questions may not leave the device (policy.questions)")
        XCTAssertEqual(
            decide(CloudPolicy(questions: true), question), .init(allowed: true, reason: "a free-form question"))
        XCTAssertEqual(
            decide(CloudPolicy(questions: true, meteredLink: true), question).reason,
            "metered link: only device commands escalate")
        XCTAssertTrue(decide(CloudPolicy(meteredLink: true), request()).allowed)
    }

    func testDenyAndAllowByIntentAreaAndDevice() {
        let scope = CloudPolicy.Scope(intents: ["HassUnlock"], areas: ["hall"], devices: ["front_door"])
        XCTAssertEqual(
            decide(CloudPolicy(deny: .init(intents: ["HassUnlock"])), request(scope: scope)).reason,
            "intent HassUnlock is denied by policy")
        XCTAssertEqual(
            decide(CloudPolicy(deny: .init(areas: ["hall"])), request(scope: scope)).reason,
            "area hall is denied by policy")
        XCTAssertEqual(
            decide(CloudPolicy(deny: .init(devices: ["front_door"])), request(scope: scope)).reason,
            "device front_door is denied by policy")
        XCTAssertEqual(
            decide(CloudPolicy(allow: .init(intents: ["HassTurnOn", "HassTurnOff"])), request(scope: scope)).reason,
            "intent HassUnlock is not in the policy's allow list")
        XCTAssertEqual(
            decide(CloudPolicy(allow: .init(areas: ["kitchen"])), request(scope: scope)).reason,
            "area hall is not in the policy's allow list")
        XCTAssertTrue(decide(CloudPolicy(allow: .init(areas: ["hall"])), request(scope: scope)).allowed)
    }

    func testTimeWindowsWrapPastMidnight() throws {
        let night = try XCTUnwrap(TimeWindow("22:00-06:00"))
        let policy = CloudPolicy(timeWindows: [night])
        XCTAssertTrue(decide(policy, request(), minute: 23 * 60).allowed)
        XCTAssertTrue(decide(policy, request(), minute: 5 * 60 + 59).allowed)
        XCTAssertEqual(
            decide(policy, request(), minute: 14 * 60 + 5).reason, "outside the time windows 22:00-06:00 (now 14:05)")
        XCTAssertNil(TimeWindow("25:00-26:00"))
        XCTAssertNil(TimeWindow("noon"))
    }

    func testPayloadCapAndBudgets() {
        let policy = CloudPolicy(requestsPerDay: 10, tokensPerDay: 1000, maxPayloadBytes: 2000)
        XCTAssertEqual(decide(policy, request(payload: 2001)).reason, "payload 2001 B exceeds the cap of 2000 B")
        XCTAssertEqual(
            decide(policy, request(), usage: .init(requests: 10, tokens: 0)).reason,
            "daily request budget spent (10/10)")
        XCTAssertEqual(
            decide(policy, request(tokens: 300), usage: .init(requests: 1, tokens: 800)).reason,
            "daily token budget spent (800 used + 300 needed > 1000)")
        XCTAssertTrue(decide(policy, request(tokens: 200), usage: .init(requests: 9, tokens: 800)).allowed)
    }

    func testConfigSectionParsesAndNamesBadKeys() throws {
        let yaml = """
            cloud:
              endpoint:
                base_url: https://llm.example.com/
                model: small
                api_key_env: EDGE_KEY
                timeout_s: 2.5
              policy:
                mode: prefer
                confidence_threshold: 0.7
                questions: true
                deny: {intents: [HassUnlock], areas: [bedroom]}
                requests_per_day: 50
                time_windows: ["22:00-06:00"]
                metered_link: true
              redaction: {names: [Alice], patterns: ['ACME-\\d+']}
              outbox: {max_items: 10, device_action_expiry_s: 5}
              state_path: /tmp/x.sqlite
            """
        let config = try CloudConfiguration(yaml: yaml, file: "agent.yaml")
        XCTAssertEqual(config.endpoint.baseURL, "https://llm.example.com")
        XCTAssertEqual(config.endpoint.apiKey, .environment("EDGE_KEY"))
        XCTAssertEqual(config.endpoint.timeout, .milliseconds(2500))
        XCTAssertEqual(config.policy.mode, .prefer)
        XCTAssertEqual(config.policy.deny.intents, ["HassUnlock"])
        XCTAssertEqual(config.policy.requestsPerDay, 50)
        XCTAssertEqual(config.policy.timeWindows.map(\.description), ["22:00-06:00"])
        XCTAssertTrue(config.policy.meteredLink)
        XCTAssertEqual(config.redaction.names, ["Alice"])
        XCTAssertEqual(config.outbox.maxItems, 10)
        XCTAssertEqual(config.outbox.deviceActionExpiry, .seconds(5))

        XCTAssertThrowsError(
            try CloudConfiguration(yaml: "endpoint: {base_url: https://x, model: m}\npolicy: {mode: sometimes}")
        ) { error in
            XCTAssertTrue("\(error)".contains("'cloud.policy.mode' is 'sometimes'"), "\(error)")
        }
        XCTAssertThrowsError(
            try CloudConfiguration(yaml: "endpoint: {base_url: https://x, model: m}\npolicy: {deny: {intents: [Fly]}}")
        ) { error in
            XCTAssertTrue("\(error)".contains("'Fly' is not an intent"), "\(error)")
        }
        XCTAssertThrowsError(try CloudConfiguration(yaml: "endpoint: {base_url: https://x, model: m, api_kee: 1}")) {
            error in XCTAssertTrue("\(error)".contains("unknown key 'cloud.endpoint.api_kee'"), "\(error)")
        }
    }

    func testAPIKeyIsReadButNeverPrinted() throws {
        XCTAssertEqual(try APIKeySource.environment("K").read(environment: ["K": " sk-123 \n"]), "sk-123")
        XCTAssertThrowsError(try APIKeySource.environment("K").read(environment: [:])) { error in
            XCTAssertEqual("\(error)", "the cloud API key cannot be read from the environment variable K")
        }
    }

    func testProxyFromEnvironment() {
        let env = ["HTTPS_PROXY": "http://user:pw@proxy.lan:3128", "NO_PROXY": "internal.example, .corp"]
        XCTAssertEqual(
            ProxySettings.forURL("https://api.openai.com/v1", environment: env),
            ProxySettings(host: "proxy.lan", port: 3128, credentials: ("user", "pw")))
        XCTAssertNil(ProxySettings.forURL("https://internal.example", environment: env))
        XCTAssertNil(ProxySettings.forURL("https://llm.corp:8443", environment: env))
        XCTAssertNil(ProxySettings.forURL("http://127.0.0.1:8080", environment: env))
        XCTAssertNil(ProxySettings.forURL("http://api.openai.com", environment: env), "http:// uses HTTP_PROXY")
    }
}
