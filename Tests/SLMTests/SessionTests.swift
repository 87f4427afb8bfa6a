import XCTest

@testable import SLM

/// The session on the real model: reusing an evaluated prefix after a rewind, and the size of the KV cache.
final class SessionTests: XCTestCase {
    func maxDifference(_ a: UnsafeMutableBufferPointer<Float>, _ b: UnsafeMutableBufferPointer<Float>) -> Float {
        zip(a, b).map { abs($0 - $1) }.max()!
    }

    func argmax(_ logits: UnsafeMutableBufferPointer<Float>) -> Int {
        logits.indices.max { logits[$0] < logits[$1] }!
    }

    /// A system prompt evaluated once and kept: after a first exchange, rewinding to its end and evaluating another
    /// question must give what a fresh session gives for the system prompt and that question.
    func testRewoundPrefixGivesTheSameLogitsAsAFreshEvaluation() throws {
        let model = try ForwardReferenceTests.model.get()
        let tokenizer = try Tokenizer(gguf: model.file)
        let prefix = tokenizer.encode("<|im_start|>system\nYou answer in one word.<|im_end|>\n")
        let first = tokenizer.encode("<|im_start|>user\nWhat colour is the sky?<|im_end|>\n<|im_start|>assistant\n")
        let second = tokenizer.encode(
            "<|im_start|>user\nWhat is the capital of France?<|im_end|>\n<|im_start|>assistant\n")
        XCTAssertGreaterThan(prefix.count, 5)
        XCTAssertLessThan(prefix.count + first.count + 1, 64)

        let reused = try Session(model: model, contextLength: 64, pool: ForwardReferenceTests.pool)
        try reused.evaluate(prefix + first)
        try reused.evaluate(Int32(argmax(reused.logits)))
        try reused.rewind(to: prefix.count)
        try reused.evaluate(second)

        let fresh = try Session(model: model, contextLength: 64, pool: ForwardReferenceTests.pool)
        try fresh.evaluate(prefix + second)
        XCTAssertEqual(argmax(reused.logits), argmax(fresh.logits))
        XCTAssertLessThan(maxDifference(reused.logits, fresh.logits), 1e-3)

        // and the next step, which reads every cache entry again
        let next = Int32(argmax(fresh.logits))
        try reused.evaluate(next)
        try fresh.evaluate(next)
        XCTAssertEqual(argmax(reused.logits), argmax(fresh.logits))
        XCTAssertLessThan(maxDifference(reused.logits, fresh.logits), 1e-3)
    }

    /// Keys and values of every layer and position in half floats: SmolLM2-135M has 30 layers and 3 KV heads of 64.
    func testKVCacheSize() throws {
        let model = try ForwardReferenceTests.model.get()
        XCTAssertEqual(model.config.layerCount, 30)
        XCTAssertEqual(model.config.kvDimension, 192)
        let session = try Session(model: model, pool: ForwardReferenceTests.pool)
        XCTAssertEqual(session.contextLength, 2048, "the default context is the trained one, capped at 2048")
        XCTAssertEqual(session.kvCacheBytes, 2 * 30 * 2048 * 192 * 2)
    }
}
