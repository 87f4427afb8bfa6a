import Foundation
import Logging
import MQTT
import Synchronization
import TestPeers
import XCTest

@testable import EdgeAgent

/// The spool's file on a real SQLite database, alone and behind the publisher of an agent whose broker is away.
final class SpoolStoreTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = try makeTemporaryDirectory { removal in self.addTeardownBlock(removal) }
    }

    private var path: String { directory.appendingPathComponent("spool.sqlite").path }

    private func item(
        _ id: String, _ kind: OutgoingItem.Kind, expires: Date? = nil, topic: String = "edge/t/result"
    ) -> OutgoingItem {
        OutgoingItem(id: id, kind: kind, topic: topic, payload: Array("{\"id\":\"\(id)\"}".utf8), expiresAt: expires)
    }

    /// A publisher over a client that never connects: everything it is given goes to the spool and its file.
    private func publisher(
        capacity: Int, actionExpiry: TimeInterval = 30, store: SpoolStore, restoring: [SpoolStore.Stored] = [],
        logger: Logger = Logger(label: "test.spool")
    ) throws -> (AgentPublisher, AgentMetrics) {
        let client = try MQTTClient(
            MQTTConfiguration(host: "127.0.0.1", port: 1, clientID: "spool-test"), logger: logger)
        let metrics = AgentMetrics()
        let publisher = AgentPublisher(
            client: client, qos: .atLeastOnce, spool: PublishSpool(capacity: capacity, actionExpiry: actionExpiry),
            store: store, restoring: restoring, metrics: metrics, logger: logger)
        return (publisher, metrics)
    }

    func testEveryFieldAndTheOrderSurviveClosingAndReopening() throws {
        let expiry = Date(timeIntervalSince1970: 2_000_000_000.5)
        var action = item("a1", .action, expires: expiry, topic: "zigbee2mqtt/hall_light/set")
        action.correlationData = [0, 1, 255]
        var birth = item("b1", .result)
        birth.retain = true
        let written = [item("r1", .result), action, birth, item("t1", .telemetry, topic: "edge/t/telemetry")]
        do {
            let store = try SpoolStore(path: path)
            try store.record(held: written)
            try store.record(held: [item("r1", .result)])  // the same id and topic: kept once
        }
        let reopened = try SpoolStore(path: path)
        let stored = try reopened.load()
        XCTAssertEqual(stored.map(\.item), written)
        XCTAssertTrue(stored.allSatisfy(\.sameBoot))
        try reopened.record(removed: [action])
        XCTAssertEqual(try SpoolStore(path: path).load().map(\.item.id), ["r1", "b1", "t1"])
    }

    func testThePublisherKeepsTheBoundDropsTelemetryFirstAndTheFileFollows() throws {
        let store = try SpoolStore(path: path)
        let (publisher, metrics) = try publisher(capacity: 3, store: store)
        publisher.send(item("r1", .result))
        publisher.send(item("t1", .telemetry))
        publisher.send(item("r2", .result))
        publisher.send(item("r3", .result))  // full: the telemetry goes
        publisher.send(item("r4", .result))  // full, no telemetry: the oldest goes
        XCTAssertEqual(publisher.spoolDepth, 3)
        XCTAssertEqual(metrics.spoolDropped, 2)
        XCTAssertEqual(try SpoolStore(path: path).load().map(\.item.id), ["r2", "r3", "r4"])
    }

    func testARestartSendsWhatWaitedButNeverAnExpiredAction() throws {
        do {
            let (publisher, _) = try publisher(capacity: 10, actionExpiry: 0.5, store: try SpoolStore(path: path))
            publisher.send(item("a-own", .action, expires: Date().addingTimeInterval(0.5)))
            publisher.send(item("a-default", .action))  // no expiry of its own: the spool's 0.5 s
            publisher.send(item("a-later", .action, expires: Date().addingTimeInterval(3600)))
            publisher.send(item("r1", .result))
        }
        let held = try SpoolStore(path: path).load().map(\.item)
        XCTAssertEqual(held.map(\.id), ["a-own", "a-default", "a-later", "r1"])
        XCTAssertNotNil(held[1].expiresAt, "a spooled action always has an expiry")
        Thread.sleep(forTimeInterval: 0.6)

        let store = try SpoolStore(path: path)
        let (restarted, metrics) = try publisher(capacity: 10, store: store, restoring: try store.load())
        XCTAssertEqual(restarted.spoolDepth, 2)
        XCTAssertEqual(metrics.spoolDropped, 2)
        XCTAssertEqual(try store.load().map(\.item.id), ["a-later", "r1"], "the expired actions left the file")
    }

    func testDeviceActionsFromBeforeARebootAreDroppedAndTheRestKept() throws {
        try SpoolStore(path: path, bootID: "boot-1").record(
            held: [item("a1", .action, expires: Date().addingTimeInterval(3600)), item("r1", .result)])
        let stored = try SpoolStore(path: path, bootID: "boot-2").load()
        XCTAssertEqual(stored.map(\.sameBoot), [false, false])
        var spool = PublishSpool(capacity: 10)
        let drops = spool.restore(stored.map { ($0.item, $0.sameBoot) }, now: Date())
        XCTAssertEqual(drops.map(\.item.id), ["a1"])
        guard case .beforeReboot = drops.first else { return XCTFail("\(drops)") }
        XCTAssertEqual(spool.items.map(\.id), ["r1"])
    }

    func testAFileThatIsNotADatabaseIsMovedAsideAndTheSpoolStartsEmpty() throws {
        let garbage = Data("this is not a spool\n".utf8) + Data(repeating: 0xA5, count: 8192)
        try garbage.write(to: URL(fileURLWithPath: path))
        let log = LogCapture()
        let logger = Logger(label: "test.spool") { _ in log }
        let opened = try XCTUnwrap(SpoolStore.open(path: path, logger: logger))
        XCTAssertEqual(opened.items, [])
        let aside = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasPrefix("spool.sqlite.bad-") && !$0.hasSuffix("-wal") && !$0.hasSuffix("-shm") }
        XCTAssertEqual(aside.count, 1)
        XCTAssertEqual(try Data(contentsOf: directory.appendingPathComponent(aside[0])), garbage)
        let errors = log.lines.filter { $0.level == .error }
        XCTAssertTrue(errors.contains { $0.text.contains(path) }, "no error names the file: \(log.lines)")
        // The new file works.
        try opened.store.record(held: [item("r1", .result)])
        XCTAssertEqual(try SpoolStore(path: path).load().map(\.item.id), ["r1"])
    }

    func testAnUnusableDirectoryLeavesTheSpoolInMemory() throws {
        let blocker = directory.appendingPathComponent("not-a-directory").path
        FileManager.default.createFile(atPath: blocker, contents: Data("x".utf8))
        let log = LogCapture()
        XCTAssertNil(SpoolStore.open(path: blocker + "/spool.sqlite", logger: Logger(label: "t") { _ in log }))
        XCTAssertTrue(log.lines.contains { $0.level == .error && $0.text.contains(blocker) }, "\(log.lines)")
    }

    /// Each spooled item is one committed transaction (WAL, synchronous=FULL): how many per second this disk takes.
    func testSpoolWritesPerSecond() throws {
        let store = try SpoolStore(path: path)
        let (publisher, _) = try publisher(capacity: 10_000, store: store)
        let count = 300
        let start = Date()
        for n in 0..<count { publisher.send(item("r\(n)", .result)) }
        let elapsed = Date().timeIntervalSince(start)
        XCTAssertEqual(try store.count, count)
        print("spool: \(count) items held and written in \(Int(elapsed * 1000)) ms, \(Int(Double(count) / elapsed))/s")
    }
}

/// A log handler that keeps every line with its metadata, for tests that read what was logged.
final class LogCapture: LogHandler, @unchecked Sendable {
    struct Line {
        var level: Logger.Level
        var text: String
    }

    private let stored = Mutex<[Line]>([])
    var lines: [Line] { stored.withLock { $0 } }
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let fields = (event.metadata ?? [:]).map { "\($0.key)=\($0.value)" }.sorted().joined(separator: " ")
        stored.withLock { $0.append(Line(level: event.level, text: "\(event.message) \(fields)")) }
    }
}
