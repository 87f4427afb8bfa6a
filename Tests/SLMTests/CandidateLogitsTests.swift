import XCTest

@testable import SLM

/// Logits of a few candidate tokens only, as a constrained decoder asks for them: the same values as the full output
/// layer gives those tokens, -infinity for every other token.
final class CandidateLogitsTests: XCTestCase {
    static let pool = ThreadPool(threads: 2)

    func check(_ model: Model, prompt: [Int32], candidates: [Int32]) throws {
        let session = try Session(model: model, contextLength: 128, pool: Self.pool)
        try session.evaluate(prompt)
        let full = Array(session.logits)
        session.reset()
        try session.evaluate(prompt, logitsOf: candidates)
        for id in 0..<full.count {
            if candidates.contains(Int32(id)) {
                XCTAssertEqual(session.logits[id], full[id], accuracy: 1e-5 * abs(full[id]), "token \(id)")
            } else if session.logits[id] != -.infinity {
                XCTFail("token \(id) is not a candidate but has logit \(session.logits[id])")
                break
            }
        }
        // Decoding continues from the same state either way: the next step matches, to the rounding by which a
        // batch of tokens differs from one token at a time.
        try session.evaluate(candidates[0])
        let after = Array(session.logits)
        session.reset()
        try session.evaluate(prompt)
        try session.evaluate(candidates[0])
        XCTAssertEqual(after, Array(session.logits), "the step after a candidates-only evaluation")
        XCTAssertThrowsError(try session.evaluate([1], logitsOf: [Int32(full.count)])) { error in
            XCTAssertEqual(error as? SessionError, .tokenOutOfRange(token: Int32(full.count), vocabularySize: full.count))
        }
    }

    func testSmolLM2() throws {
        let model = try Model(path: TestResources.modelPath())
        let tokenizer = try Tokenizer(gguf: model.file)
        try check(model, prompt: tokenizer.encode("The kitchen light is"), candidates: [260, 5, 49_151, 1_000])
    }

    func testGemma3() throws {
        let model = try Model(path: TestResources.optionalModelPath(TestResources.gemma3, fetchName: "gemma-3-270m"))
        let tokenizer = try Tokenizer(gguf: model.file)
        try check(model, prompt: tokenizer.encode("The kitchen light is"), candidates: [580, 1135, 262_143, 3714])
    }
}
