import Foundation
import XCTest

/// A directory the test writes /proc and /sys files into, removed when the test ends.
final class FixtureTree {
    let root: String

    init() throws {
        root =
            FileManager.default.temporaryDirectory.appendingPathComponent("edge-agent-fixture-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    /// Writes `contents` at `path` (absolute inside the tree), creating the directories on the way.
    @discardableResult
    func write(_ path: String, _ contents: String) throws -> String {
        let full = root + path
        try FileManager.default.createDirectory(
            atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try contents.write(toFile: full, atomically: true, encoding: .utf8)
        return full
    }

    func directory(_ path: String) throws {
        try FileManager.default.createDirectory(atPath: root + path, withIntermediateDirectories: true)
    }
}

/// The real default model, fetched by Models/fetch.sh; tests that need it fail when it is missing.
enum RealModel {
    static var path: String {
        get throws {
            let path = ModelStoreHome.directory + "/SmolLM2-135M-Instruct.Q4_1.gguf"
            guard FileManager.default.fileExists(atPath: path) else {
                XCTFail("the model is not fetched: run Models/fetch.sh (expected at \(path))")
                throw CocoaError(.fileNoSuchFile)
            }
            return path
        }
    }
}

enum ModelStoreHome {
    static var directory: String {
        let environment = ProcessInfo.processInfo.environment
        if let dir = environment["EDGE_AGENT_MODELS"], !dir.isEmpty { return dir }
        if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty { return xdg + "/edge-agent/models" }
        return (environment["HOME"] ?? "/root") + "/.cache/edge-agent/models"
    }
}
