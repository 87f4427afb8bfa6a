import EdgeAgent
import Foundation
import SLM
import XCTest

/// The evaluated prompt prefix on disk: the same answers without it, with it, and after a reload; a corrupt or
/// truncated file is ignored with a log line and replaced.
final class SLMPrefixCacheTests: XCTestCase {
    /// A model of its own: every interpreter made here takes over its session.
    nonisolated(unsafe) static let local = Result { try LocalModel(SLMInterpreterTests.modelPath, threads: 2, contextLength: 1536) }
    static let commands = [
        "it's too dark in the office", "is the garage door open?", "make it 22 degrees in the living room",
        "tell me a joke about cats",
    ]

    final class Lines: @unchecked Sendable {
        var lines: [String] = []
    }

    func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("prefix-\(UUID().uuidString)").path
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    static func answers(_ slm: SLMInterpreter) throws -> [String] {
        let interpreter = Interpreter(catalog: slm.catalog, model: slm, fastPath: false)
        return try Self.commands.map { text in
            let proposal = try slm.propose(text, normalized: interpreter.normalizer.normalize(text))
            return proposal.output + " " + String(format: "%.3f", proposal.confidence)
        }
    }

    func make(_ cache: PrefixCache?) throws -> SLMInterpreter {
        var options = SLMInterpreter.Options()
        options.prefixCache = cache
        return try SLMInterpreter(
            catalog: try SLMInterpreterTests.catalog.get(), model: try Self.local.get(), options: options)
    }

    func testSameAnswersWithoutWithAndAfterReloadFromDisk() throws {
        try Self.checkSameAnswersWithoutWithAndAfterReload(directory: temporaryDirectory(), make)
    }

    /// Interpreters made by `make` without a cache, with an empty one in `directory` and again after the reload from
    /// disk answer the same, and the file raises no complaint.
    static func checkSameAnswersWithoutWithAndAfterReload(
        directory: String, _ make: (PrefixCache?) throws -> SLMInterpreter
    ) throws {
        let log = Lines()
        let cache = PrefixCache(directory: directory) { log.lines.append($0) }

        let uncached = try make(nil)
        XCTAssertFalse(uncached.startup.restoredFromDisk)
        let expected = try answers(uncached)

        let first = try make(cache)
        XCTAssertFalse(first.startup.restoredFromDisk, "nothing on disk yet")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory)
        XCTAssertEqual(files.count, 1, "\(files)")
        XCTAssertEqual(try answers(first), expected)

        let reloaded = try make(cache)
        XCTAssertTrue(reloaded.startup.restoredFromDisk)
        XCTAssertEqual(reloaded.startup.prefixTokens, first.startup.prefixTokens)
        XCTAssertEqual(try answers(reloaded), expected)
        XCTAssertEqual(log.lines, [])
        print(
            "\(first.model.path.split(separator: "/").last ?? "") prefix (\(first.format) prompt): "
                + "\(first.startup.prefixTokens) tokens; start-up evaluating it \(first.startup.seconds) s, "
                + "from disk \(reloaded.startup.seconds) s")
    }

    func testCorruptOrTruncatedFilesAreIgnoredAndReplaced() throws {
        let directory = try temporaryDirectory()
        let log = Lines()
        let cache = PrefixCache(directory: directory) { log.lines.append($0) }
        let expected = try Self.answers(try make(cache))
        let file = directory + "/" + (try FileManager.default.contentsOfDirectory(atPath: directory)).first!
        let good = try Data(contentsOf: URL(fileURLWithPath: file))

        var flipped = good
        flipped[flipped.count - 100] ^= 0x40
        try flipped.write(to: URL(fileURLWithPath: file))
        let afterFlip = try make(cache)
        XCTAssertFalse(afterFlip.startup.restoredFromDisk)
        XCTAssertTrue(log.lines.last?.contains("checksum") ?? false, "\(log.lines)")
        XCTAssertEqual(try Self.answers(afterFlip), expected)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: file)), good, "the bad file was replaced")

        try good.prefix(good.count / 2).write(to: URL(fileURLWithPath: file))
        XCTAssertFalse(try make(cache).startup.restoredFromDisk)
        XCTAssertTrue(log.lines.last?.contains("truncated") ?? false, "\(log.lines)")

        try Data("not a cache".utf8).write(to: URL(fileURLWithPath: file))
        XCTAssertFalse(try make(cache).startup.restoredFromDisk)
        XCTAssertTrue(log.lines.last?.contains("ignored") ?? false, "\(log.lines)")
        XCTAssertTrue(try make(cache).startup.restoredFromDisk)
    }
}
