import Foundation
import SLM
import XCTest

@testable import EdgeAgent

/// Each term of the estimate against numbers worked out by hand for SmolLM2-135M's real configuration, and the
/// admission verdicts it leads to.
final class MemoryEstimateTests: XCTestCase {
    var config: ModelConfig!
    var modelBytes = 0

    override func setUpWithError() throws {
        let file = try GGUFFile(path: try RealModel.path)
        config = try ModelConfig(gguf: file)
        modelBytes = file.map.bytes.count
    }

    func testTheRealConfiguration() {
        XCTAssertEqual(config.layerCount, 30)
        XCTAssertEqual(config.kvDimension, 192)
        XCTAssertEqual(config.kvHeadCount, 3)
        XCTAssertEqual(config.headDimension, 64)
        XCTAssertEqual(config.embeddingLength, 576)
        XCTAssertEqual(config.queryDimension, 576)
        XCTAssertEqual(config.feedForwardLength, 1536)
        XCTAssertEqual(config.vocabularySize, 49152)
        XCTAssertEqual(config.trainedContextLength, 8192)
        XCTAssertEqual(modelBytes, 98_362_432, "the manifest's size_bytes")
    }

    func testEachTermByHand() {
        let e = MemoryEstimate(config: config, modelBytes: modelBytes, contextLength: 1024, threads: 4)
        XCTAssertEqual(e.modelBytes, 98_362_432)
        // 1024 tokens × 30 layers × 2 (K and V) × 3 KV heads × 64 × 2 bytes
        XCTAssertEqual(e.kvCacheBytes, 23_592_960)
        // floats: x, xb 2×64×576 + q, attention 2×64×576 + k, v 2×64×192 + gate, up 2×64×1536
        // + scores 4 threads × 3 heads a group × 1024 + rope 2 bases×64×64 + logits 49152 + inverse frequencies 2×32
        // = 438 336 floats = 1 753 344 bytes; Q8 blocks 64×1536/32 = 3072 × 40 bytes = 122 880 bytes.
        XCTAssertEqual(e.scratchBytes, 1_876_224)
        XCTAssertEqual(e.baselineBytes, 36 * 1_048_576)
        XCTAssertEqual(e.totalBytes, 98_362_432 + 23_592_960 + 1_876_224 + 37_748_736)
        XCTAssertEqual(MemoryEstimate.bytesPerToken(config: config, threads: 4), 23_040 + 4 * 3 * 4)
    }

    func testKVCacheAgreesWithTheSession() throws {
        let model = try Model(file: try GGUFFile(path: try RealModel.path))
        let session = try Session(model: model, contextLength: 512, pool: ThreadPool(threads: 1))
        XCTAssertEqual(MemoryEstimate.kvCacheBytes(config: config, contextLength: 512), session.kvCacheBytes)
    }

    func budget(_ megabytes: Int, reserve: Int = 0, source: MemoryBudget.Source = .config) -> MemoryBudget {
        MemoryBudget(limits: [.init(source, bytes: megabytes << 20)], reserveBytes: reserve << 20)!
    }

    func testFits() {
        let verdict = Admission.decide(
            config: config, modelBytes: modelBytes, contextLength: 1024, threads: 4, budget: budget(256, reserve: 32))
        XCTAssertEqual(
            verdict, .fits(MemoryEstimate(config: config, modelBytes: modelBytes, contextLength: 1024, threads: 4)))
        XCTAssertEqual(verdict.name, "ok")
    }

    func testShrinksToTheLargestMultipleOf256ThatFits() throws {
        // Without context: 98 362 432 + scratch 1 810 560 + baseline 37 748 736 = 137 921 728 bytes. A 150 MB
        // budget (157 286 400) leaves 19 364 672 bytes, 839 tokens at 23 056 bytes each: 768 tokens.
        let verdict = Admission.decide(
            config: config, modelBytes: modelBytes, contextLength: 1024, threads: 4, budget: budget(150))
        guard case .shrunk(let estimate, let requested, let reason) = verdict else {
            return XCTFail("expected a shorter context, got \(verdict)")
        }
        XCTAssertEqual(estimate.contextLength, 768)
        XCTAssertEqual(requested, 1024)
        XCTAssertLessThanOrEqual(estimate.totalBytes, 150 << 20)
        XCTAssertGreaterThan(
            MemoryEstimate(config: config, modelBytes: modelBytes, contextLength: 1024, threads: 4).totalBytes,
            150 << 20)
        XCTAssertTrue(reason.contains("1024 tokens") && reason.contains("768 tokens"), reason)
        XCTAssertTrue(reason.contains("150.0 MB (config)"), reason)
    }

    func testRefusesWithEveryTermInTheMessage() {
        let verdict = Admission.decide(
            config: config, modelBytes: modelBytes, contextLength: 1024, threads: 4,
            budget: budget(120, reserve: 32, source: .cgroup))
        guard case .refused(_, let message) = verdict else { return XCTFail("expected a refusal, got \(verdict)") }
        for expected in [
            "model file  93.8 MB", "KV cache    22.5 MB (1024 tokens)", "scratch     1.8 MB", "baseline    36.0 MB",
            "needs 154.1 MB, the budget is 88.0 MB", "88.0 MB = 120.0 MB from the cgroup - 32.0 MB reserve",
            "MemoryMax=", "smaller model", "256 tokens",
        ] {
            XCTAssertTrue(message.contains(expected), "'\(expected)' missing from:\n\(message)")
        }
    }

    func testAShortRequestThatDoesNotFitIsRefusedNotGrown() {
        let verdict = Admission.decide(
            config: config, modelBytes: modelBytes, contextLength: 128, threads: 1, budget: budget(100))
        XCTAssertEqual(verdict.name, "refuse")
    }

    func testRefusalExitCodeIsDistinct() {
        XCTAssertEqual(memoryRefusalExitCode, 75)
    }
}
