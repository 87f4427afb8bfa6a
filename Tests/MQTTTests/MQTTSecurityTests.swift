import Foundation
import Logging
import TestPeers
import XCTest

@testable import MQTT

/// Username/password and TLS against brokers configured for them.
final class MQTTSecurityTests: XCTestCase {
    private var broker: MosquittoBroker?
    private var clients: [MQTTClient] = []
    private var directory: URL!

    override func setUpWithError() throws {
        directory = try makeTemporaryDirectory(self)
    }

    override func tearDown() {
        for client in clients { client.disconnect() }
        clients = []
        broker?.stop()
    }

    private func startBroker(_ listener: String) throws -> MosquittoBroker {
        let broker = try MosquittoBroker(directory: directory) { _ in listener }
        try broker.start()
        self.broker = broker
        return broker
    }

    private func client(_ configuration: MQTTConfiguration) throws -> MQTTClient {
        let client = try MQTTClient(configuration, logger: Logger(label: "test.\(configuration.clientID)"))
        clients.append(client)
        return client
    }

    private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    // MARK: - Username and password

    func testPasswordIsAcceptedAndAWrongOneRefusedWithATypedError() async throws {
        try runProgram("/usr/bin/mosquitto_passwd", ["-c", "-b", path("passwords"), "agent", "s3cret"])
        chmod(path("passwords"), 0o644)  // mosquitto drops root for its own user, which must read the file
        let broker = try startBroker("allow_anonymous false\npassword_file \(path("passwords"))")

        for version in [MQTTProtocolVersion.v5, .v311] {
            let good = try client(
                MQTTConfiguration(
                    host: "127.0.0.1", port: broker.port, clientID: "good-\(version)", protocolVersion: version,
                    credentials: MQTTCredentials(username: "agent", password: "s3cret")))
            try await good.connect()
            XCTAssertEqual(good.state, .connected)

            let bad = try client(
                MQTTConfiguration(
                    host: "127.0.0.1", port: broker.port, clientID: "bad-\(version)", protocolVersion: version,
                    credentials: MQTTCredentials(username: "agent", password: "wrong")))
            do {
                try await bad.connect()
                XCTFail("connected with a wrong password (\(version))")
            } catch {
                // mosquitto answers MQTT 5's 0x87 "not authorized" (0x86 "bad user name or password" is allowed too)
                // and 3.1.1's 5 "not authorised".
                let expected: [Int32] = version == .v5 ? [0x86, 0x87] : [5]
                XCTAssert(expected.map { .connectionRefused(reasonCode: $0) }.contains(error.kind), "\(error)")
                XCTAssertEqual(error.operation, "connect")
                XCTAssertFalse(error.description.contains("wrong"), "the password leaked into: \(error)")
            }
            XCTAssertEqual(bad.state, .idle)
        }
    }

    func testPasswordComesFromAFileOrTheEnvironmentAndIsNeverDescribed() throws {
        try "from-file\n".write(toFile: path("password"), atomically: true, encoding: .utf8)
        XCTAssertEqual(try MQTTCredentials.password(fromFile: path("password")), "from-file")
        XCTAssertThrowsError(try MQTTCredentials.password(fromFile: path("missing"))) { error in
            XCTAssert("\(error)".contains("missing"), "\(error)")
        }
        setenv("EDGE_AGENT_TEST_MQTT_PASSWORD", "from-env", 1)
        defer { unsetenv("EDGE_AGENT_TEST_MQTT_PASSWORD") }
        XCTAssertEqual(try MQTTCredentials.password(fromEnvironment: "EDGE_AGENT_TEST_MQTT_PASSWORD"), "from-env")
        XCTAssertThrowsError(try MQTTCredentials.password(fromEnvironment: "EDGE_AGENT_TEST_UNSET_VARIABLE")) { error in
            XCTAssert("\(error)".contains("EDGE_AGENT_TEST_UNSET_VARIABLE"), "\(error)")
        }
        let credentials = MQTTCredentials(username: "agent", password: "from-env")
        XCTAssertFalse("\(credentials)".contains("from-env"))
        XCTAssertFalse(String(reflecting: credentials).contains("from-env"))
    }

    // MARK: - TLS

    private func makeCertificateAuthority(_ name: String) throws {
        try TestCertificates.makeAuthority(name, in: directory)
    }

    private func makeServerCertificate(signedBy ca: String) throws {
        try TestCertificates.makeServer(signedBy: ca, in: directory)
    }

    func testTLSWithTheBrokersCAConnectsAndAnUntrustedCAIsRefused() async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl") else {
            return XCTFail("openssl is not installed at /usr/bin/openssl (Debian package 'openssl')")
        }
        try makeCertificateAuthority("trusted-ca")
        try makeCertificateAuthority("other-ca")
        try makeServerCertificate(signedBy: "trusted-ca")
        let broker = try startBroker(
            """
            allow_anonymous true
            cafile \(path("trusted-ca.crt"))
            certfile \(path("server.crt"))
            keyfile \(path("server.key"))
            """)

        let trusting = try client(
            MQTTConfiguration(
                host: "127.0.0.1", port: broker.port, clientID: "tls-good", tls: MQTTTLS(caFile: path("trusted-ca.crt"))
            ))
        let inbox = Inbox(trusting)
        try await trusting.connect()
        try await trusting.subscribe("tls/echo", qos: .atLeastOnce)
        try await trusting.publish(topic: "tls/echo", payload: Array("over TLS".utf8), qos: .atLeastOnce).acknowledged()
        let echoed = try await inbox.first(on: "tls/echo")
        XCTAssertEqual(echoed.text, "over TLS")

        let distrusting = try client(
            MQTTConfiguration(
                host: "127.0.0.1", port: broker.port, clientID: "tls-bad", tls: MQTTTLS(caFile: path("other-ca.crt"))))
        do {
            try await distrusting.connect()
            XCTFail("connected to a broker whose certificate the CA did not sign")
        } catch {
            XCTAssertEqual(error.libraryCode, 8, "\(error)")  // MOSQ_ERR_TLS
            XCTAssert(error.operation.hasPrefix("connect"), "\(error)")
        }
        XCTAssertEqual(distrusting.state, .idle)
    }
}
