import XCTest

@testable import EdgeAgent

final class AgentConfigTests: XCTestCase {
    func testTheSampleConfigLoads() throws {
        let config = try AgentConfigLoader.load(contentsOf: AgentHarness.repositoryFile("Board/agent.yaml"))
        XCTAssertEqual(config.agent.id, "kitchen-pi")
        XCTAssertEqual(config.agent.prefix, "edge/kitchen-pi/")
        XCTAssertEqual(config.broker.url, BrokerURL(tls: false, host: "127.0.0.1", port: 1883))
        XCTAssertEqual(config.broker.protocolVersion, .v5)
        XCTAssertEqual(config.limits.queueCapacity, 16)
        XCTAssertEqual(config.hermes.siteIDs, [])
        XCTAssertEqual(config.catalog, "Board/catalog/home.yaml")
        XCTAssertEqual(config.spoolPath, "/var/lib/edge-agent/spool.sqlite")
    }

    func testEveryKeyIsRead() throws {
        let config = try AgentConfigLoader.load(
            yaml: """
                agent: {id: pi_2, topic_prefix: site/pi2, board: rpi-4-2gb}
                broker:
                  url: mqtts://broker.local
                  protocol: 3.1.1
                  client_id: c1
                  keepalive: 30
                  clean_session: false
                  session_expiry: 600
                  qos: 2
                  reconnect_max_s: 5
                  username: agent
                  password_env: MQTT_PASSWORD
                  tls: {ca_file: ca.pem, cert_file: c.pem, key_file: c.key, verify: false}
                catalog: other.yaml
                spool_path: /data/spool.sqlite
                model: {name: tiny, threads: 2, context: 512}
                interpreter: {slm: true, confidence_threshold: 0.7}
                limits:
                  {queue_capacity: 4, max_payload_bytes: 1024, spool_capacity: 10, spool_action_expiry_s: 5,
                   memory_budget_mb: 300}
                telemetry: {interval_s: 5}
                home_assistant: {discovery: true, prefix: ha}
                hermes: {enabled: false, site_ids: [kitchen, hall]}
                """)
        XCTAssertEqual(config.agent.prefix, "site/pi2/")
        XCTAssertEqual(config.broker.url, BrokerURL(tls: true, host: "broker.local", port: 8883))
        XCTAssertEqual(config.broker.protocolVersion, .v311)
        XCTAssertEqual(config.broker.sessionExpiry, 600)
        XCTAssertEqual(config.broker.passwordEnvironment, "MQTT_PASSWORD")
        XCTAssertEqual(config.broker.tls.verify, false)
        XCTAssertEqual(config.model.context, 512)
        XCTAssertEqual(config.interpreter.confidenceThreshold, 0.7)
        XCTAssertEqual(config.limits.spoolCapacity, 10)
        XCTAssertEqual(config.limits.spoolActionExpiry, 5)
        XCTAssertEqual(config.limits.memoryBudgetMB, 300)
        XCTAssertEqual(config.spoolPath, "/data/spool.sqlite")
        XCTAssertEqual(config.hermes.siteIDs, ["kitchen", "hall"])
        XCTAssertTrue(config.homeAssistant.discovery)
    }

    /// Each bad config is refused with the file, the line of the offending key and a reason naming it.
    func testBadConfigsAreRefusedWithTheLineAndTheReason() {
        let cases: [(yaml: String, line: Int, kind: AgentConfigError.Kind, mentions: String)] = [
            ("agent:\n  id: a\n  colour: red\n", 3, .unknownKey, "agent.colour"),
            ("cloud:\n  mode: never\n", 2, .unknownKey, "cloud.mode"),
            ("cloud:\n  endpoint: {model: m}\n", 2, .missingKey, "cloud.endpoint.base_url"),
            ("broker:\n  url: http://x:1883\n", 2, .badValue, "mqtt://"),
            ("broker:\n  url: mqtt://host:99999\n", 2, .badValue, "port"),
            ("broker:\n  keepalive: often\n", 2, .badValue, "'often' is not a whole number"),
            ("broker:\n  qos: 3\n", 2, .badValue, "outside 0…2"),
            ("broker:\n  password: hunter2\n", 2, .badValue, "password_file"),
            ("broker:\n  tls: {cert_file: a.pem}\n", 2, .badValue, "key_file"),
            ("agent:\n  id: bad/id\n", 2, .badValue, "letters"),
            ("limits:\n  queue_capacity: [1]\n", 2, .badValue, "expected a whole number, got a list"),
            ("limits:\n  memory_budget_mb: 2\n", 2, .badValue, "outside 16…"),
            ("spool_path: ''\n", 1, .badValue, "must name a file"),
            ("hermes: yes\n", 1, .badValue, "expected a mapping"),
            ("agent: {id: a\n", 2, .syntax, "not YAML"),
        ]
        for c in cases {
            XCTAssertThrowsError(try AgentConfigLoader.load(yaml: c.yaml, file: "agent.yaml"), c.yaml) { error in
                guard let error = error as? AgentConfigError else { return XCTFail("untyped: \(error)") }
                XCTAssertEqual(error.kind, c.kind, c.yaml)
                XCTAssertEqual(error.line, c.line, "\(c.yaml): \(error)")
                XCTAssert(error.description.hasPrefix("agent.yaml:\(c.line):"), "\(error)")
                XCTAssert(error.description.contains(c.mentions), "\(c.yaml): \(error)")
                XCTAssertFalse(error.description.contains("hunter2"), "a secret leaked: \(error)")
            }
        }
    }

    func testCommandLineOverridesTheFile() throws {
        let base = try AgentConfigLoader.load(yaml: "agent: {id: a}\nbroker: {url: mqtt://one:1883}\n")
        let config = try base.applying(
            AgentConfigOverrides(
                broker: "mqtts://[::1]:8884", agentID: "b", catalog: "c.yaml", model: "m", threads: 3))
        XCTAssertEqual(config.broker.url, BrokerURL(tls: true, host: "::1", port: 8884))
        XCTAssertEqual(config.agent.prefix, "edge/b/")
        XCTAssertEqual(config.catalog, "c.yaml")
        XCTAssertEqual(config.model.name, "m")
        XCTAssertEqual(config.model.threads, 3)
        XCTAssertThrowsError(try base.applying(AgentConfigOverrides(broker: "tcp://x"))) { error in
            XCTAssert("\(error)".hasPrefix("--broker:0:"), "\(error)")
        }
        XCTAssertThrowsError(try base.applying(AgentConfigOverrides(threads: 0)))
    }
}
