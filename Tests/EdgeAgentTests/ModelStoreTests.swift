import Foundation
import XCTest

@testable import EdgeAgent

final class ModelStoreTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("model-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    func writeManifest(_ json: String) throws {
        try json.write(to: directory.appendingPathComponent("manifest.json"), atomically: true, encoding: .utf8)
    }

    let manifest = """
        {"models": [
          {"name": "tiny", "file": "tiny.gguf", "sha256": "00", "default": false},
          {"name": "main", "file": "main.gguf", "sha256": "11", "size_bytes": 5, "context_length": 8192,
           "source": {"pypi": "p", "version": "1", "member": "m/main.gguf"}, "default": true}
        ]}
        """

    func testCacheDirectoryFollowsTheEnvironment() {
        XCTAssertEqual(ModelStore(environment: ["EDGE_AGENT_MODELS": "/m", "HOME": "/h"]).cacheDirectory, "/m")
        XCTAssertEqual(
            ModelStore(environment: ["XDG_CACHE_HOME": "/x", "HOME": "/h"]).cacheDirectory, "/x/edge-agent/models")
        XCTAssertEqual(ModelStore(environment: ["HOME": "/h"]).cacheDirectory, "/h/.cache/edge-agent/models")
    }

    func testResolvesNamesThroughTheManifestInTheCache() throws {
        try writeManifest(manifest)
        let store = ModelStore(environment: ["EDGE_AGENT_MODELS": directory.path])
        FileManager.default.createFile(atPath: directory.appendingPathComponent("main.gguf").path, contents: Data())
        XCTAssertEqual(try store.resolve("main"), directory.path + "/main.gguf")
        XCTAssertEqual(try store.resolve(nil), directory.path + "/main.gguf", "the default model")
        XCTAssertEqual(try store.manifest()?.models.last?.contextLength, 8192)
    }

    func testPathsAreTakenAsTheyAre() throws {
        let store = ModelStore(environment: ["EDGE_AGENT_MODELS": directory.path])
        XCTAssertEqual(try store.resolve("/somewhere/model.gguf"), "/somewhere/model.gguf")
        XCTAssertEqual(try store.resolve("weights.gguf"), "weights.gguf")
    }

    func testUnknownAndUnfetchedModelsAreNamed() throws {
        try writeManifest(manifest)
        let store = ModelStore(environment: ["EDGE_AGENT_MODELS": directory.path])
        XCTAssertThrowsError(try store.resolve("gpt-9")) {
            XCTAssertEqual($0 as? ModelStoreError, .unknownModel(name: "gpt-9", known: ["tiny", "main"]))
        }
        XCTAssertThrowsError(try store.resolve("tiny")) {
            XCTAssertEqual($0 as? ModelStoreError, .notFetched(name: "tiny", expectedPath: directory.path + "/tiny.gguf"))
            XCTAssertTrue("\($0)".contains("Models/fetch.sh tiny"))
        }
    }

    func testABrokenManifestIsReportedWithItsPath() throws {
        try writeManifest("{\"models\": [{\"name\": 3}]}")
        let store = ModelStore(environment: ["EDGE_AGENT_MODELS": directory.path])
        XCTAssertThrowsError(try store.resolve("main")) {
            guard case .badManifest(let path, _) = $0 as? ModelStoreError else { return XCTFail("\($0)") }
            XCTAssertEqual(path, directory.path + "/manifest.json")
        }
    }
}
