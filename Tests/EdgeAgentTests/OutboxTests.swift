import Foundation
import XCTest

@testable import EdgeAgent

/// The durable outbox on a real SQLite file: bounds, idempotency, persistence, and a writer killed with SIGKILL.
final class OutboxTests: XCTestCase {
    var tree: FixtureTree!

    override func setUpWithError() throws { tree = try FixtureTree() }
    override func tearDown() { tree = nil }

    func item(_ id: String, at time: Double = 1000, expiresIn: Double = 30) -> OutboxItem {
        OutboxItem(
            id: id, createdAt: time, expiresAt: time + expiresIn, kind: .deviceCommand,
            replyRoute: ReplyRoute(topic: "edge/a/result", correlationData: [1, 2, 0, 255]),
            text: "open the garage \(id)")
    }

    func testEnqueueIsIdempotentBoundedAndPersistent() throws {
        let path = tree.root + "/state/cloud.sqlite"
        do {
            let store = try CloudStore(path: path, outboxSettings: OutboxSettings(maxItems: 3))
            XCTAssertEqual(try store.outbox.enqueue(item("a")), .queued)
            XCTAssertEqual(try store.outbox.enqueue(item("a")), .duplicate)
            XCTAssertEqual(try store.outbox.enqueue(item("b", at: 1001)), .queued)
            XCTAssertEqual(try store.outbox.enqueue(item("c", at: 1002, expiresIn: 3600)), .queued)
            XCTAssertEqual(
                try store.outbox.enqueue(item("d", at: 1003)), .full(3), "the new item is refused, none dropped")
            XCTAssertEqual(try store.outbox.list().map(\.id), ["a", "b", "c"])
        }
        let reopened = try CloudStore(path: path, outboxSettings: OutboxSettings(maxItems: 3))
        let items = try reopened.outbox.list()
        XCTAssertEqual(items.map(\.id), ["a", "b", "c"])
        XCTAssertEqual(items.first, item("a"), "every field survives a restart, correlation bytes included")
        XCTAssertEqual(try reopened.outbox.due(now: 1001.5).map(\.id), ["a", "b"])
        XCTAssertEqual(try reopened.outbox.expired(now: 1031.5).map(\.id), ["a", "b"])
        try reopened.outbox.scheduleRetry(id: "a", at: 1010, error: "HTTP 503")
        XCTAssertEqual(try reopened.outbox.due(now: 1005).map(\.id), ["b", "c"])
        XCTAssertEqual(try reopened.outbox.list().first?.attempts, 1)
        XCTAssertEqual(try reopened.outbox.nextEvent(), 1001, "b's first attempt")
        try reopened.outbox.recordAnswer(id: "b", answer: Array("{}".utf8))
        XCTAssertEqual(try reopened.outbox.answered(now: 1005).map(\.id), ["b"])
        XCTAssertEqual(try reopened.outbox.due(now: 1005).map(\.id), ["c"], "an answered item is not sent again")
        XCTAssertEqual(try reopened.outbox.purge(), 3)
    }

    /// A writer killed mid-write loses nothing it acknowledged and duplicates nothing when it runs again.
    func testKillNineDuringWritesLosesAndDuplicatesNothing() throws {
        let path = tree.root + "/cloud.sqlite"
        let agent = try Program.edgeAgent
        for round in 0..<3 {
            let acknowledged = try fillAndKill(agent: agent, path: path, afterAcks: 40 + round * 25)
            let store = try CloudStore(path: path)
            XCTAssertEqual(
                try store.database.execute("PRAGMA integrity_check").first?["integrity_check"]?.string, "ok")
            let ids = try store.outbox.list().map(\.id)
            XCTAssertEqual(Set(ids).count, ids.count, "no duplicate ids")
            let missing = acknowledged.subtracting(ids)
            XCTAssertTrue(missing.isEmpty, "acknowledged but lost after kill -9: \(missing.sorted().prefix(5))")
            // At most the one item whose commit finished but whose acknowledgement was not yet printed.
            XCTAssertLessThanOrEqual(ids.count, acknowledged.count + 1)
            XCTAssertTrue(
                try store.outbox.list().allSatisfy { $0.replyRoute.topic == "test/reply" && $0.text.count > 200 })
        }
        // Running the same writer to completion adds each missing id once.
        let output = try Program.run([agent, "outbox", "fill", "--state", path, "--count", "300"])
        XCTAssertEqual(output.status, 0, output.stderr)
        XCTAssertEqual(try CloudStore(path: path).outbox.count, 300)
    }

    func fillAndKill(agent: String, path: String, afterAcks: Int) throws -> Set<String> {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: agent)
        process.arguments = ["outbox", "fill", "--state", path, "--count", "100000"]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        var acknowledged = Set<String>()
        var buffer = Data()
        let reader = out.fileHandleForReading
        while acknowledged.count < afterAcks {
            let chunk = reader.availableData
            if chunk.isEmpty { break }
            buffer.append(chunk)
            while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                acknowledged.insert(String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self))
                buffer = Data(buffer[buffer.index(after: newline)...])
            }
        }
        kill(process.processIdentifier, SIGKILL)
        // Whatever was acknowledged while the signal was on its way counts too.
        let rest = reader.readDataToEndOfFile()
        buffer.append(rest)
        for line in buffer.split(separator: UInt8(ascii: "\n")) {
            acknowledged.insert(String(decoding: line, as: UTF8.self))
        }
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .uncaughtSignal)
        XCTAssertGreaterThanOrEqual(acknowledged.count, afterAcks)
        return acknowledged
    }
}
