import Foundation
import XCTest

@testable import SLM

/// llama.cpp's next-token log-probabilities and greedy continuations for SmolLM2 (../shared/reference).
struct ForwardReference: Decodable {
    struct Candidate: Decodable {
        let id: Int32
        let logprob: Double
    }

    struct Prompt: Decodable {
        let text: String
        let ids: [Int32]
        let nextTop5: [Candidate]
        let greedyIds: [Int32]
        let greedyText: String
        let greedyStepTop5: [[Candidate]]

        enum CodingKeys: String, CodingKey {
            case text, ids
            case nextTop5 = "next_top5"
            case greedyIds = "greedy_ids"
            case greedyText = "greedy_text"
            case greedyStepTop5 = "greedy_step_top5"
        }
    }

    let prompts: [String: Prompt]

    static func load(_ fileName: String = TestResources.smolLM2Reference) throws -> ForwardReference {
        let data = try Data(contentsOf: URL(fileURLWithPath: TestResources.referencePath(fileName)))
        return try JSONDecoder().decode(ForwardReference.self, from: data)
    }
}

/// The forward pass against llama.cpp on the real model.
///
/// Tolerances come from llama.cpp itself. This small model amplifies rounding noise: over these 150 reference values,
/// llama.cpp 0.3.36 on the same machine moves from its own reference by a mean of 0.02 and at most 0.20 when the same
/// tokens are evaluated in one batch instead of one by one; by a mean of 0.09 and at most 0.50 with flash attention
/// on; by a mean of 0.10 and at most 0.60 (and one top-1 flip) with a float KV cache. Our engine rounds differently
/// again (8-bit activations with float scales, half-float KV cache, its own summation order) and must stay within
/// that spread: a real error in the forward pass (a wrong RoPE, norm or head mapping) moves values by whole units.
final class ForwardReferenceTests: XCTestCase {
    static let model = Result { try Model(path: TestResources.modelPath()) }
    static let pool = ThreadPool(threads: 2)

    func session() throws -> Session {
        try Session(model: Self.model.get(), contextLength: 256, pool: Self.pool)
    }

    func logProbability(of token: Int32, in logits: UnsafeMutableBufferPointer<Float>) -> Double {
        var maximum = -Float.infinity
        for value in logits { maximum = max(maximum, value) }
        var sum = 0.0
        for value in logits { sum += exp(Double(value - maximum)) }
        return Double(logits[Int(token)] - maximum) - log(sum)
    }

    /// Compares the reference's top-5 at the prompt's end and at each of the first greedy steps (the reference's
    /// own tokens fed back, so each step is compared on the same context).
    func testTopFiveLogProbabilitiesAgreeWithLlamaCpp() throws {
        let reference = try ForwardReference.load()
        let session = try session()
        var differences: [Double] = []
        var compared = 0
        var flips: [String] = []
        for (name, prompt) in reference.prompts.sorted(by: { $0.key < $1.key }) {
            session.reset()
            try session.evaluate(prompt.ids)
            let steps = [prompt.nextTop5] + prompt.greedyStepTop5.dropFirst()
            for (step, top5) in steps.enumerated() {
                if step > 0 { try session.evaluate(prompt.greedyIds[step - 1]) }
                for candidate in top5 {
                    let ours = logProbability(of: candidate.id, in: session.logits)
                    differences.append(abs(ours - candidate.logprob))
                    XCTAssertEqual(ours, candidate.logprob, accuracy: 0.5, "\(name) step \(step) token \(candidate.id)")
                }
                // The most likely token must agree wherever llama.cpp's first two are clearly apart; where they are
                // within llama.cpp's own noise, one flip is tolerated.
                let margin = top5[0].logprob - top5[1].logprob
                if margin > 0.1 {
                    let best = logSoftmaxTop(UnsafeBufferPointer(session.logits), count: 1)[0].id
                    if best != top5[0].id {
                        flips.append("\(name) step \(step) (margin \(margin))")
                        XCTAssertLessThan(margin, 0.6, "\(name) step \(step): top-1 differs")
                    }
                    compared += 1
                }
            }
        }
        let mean = differences.reduce(0, +) / Double(differences.count)
        print("log-probabilities vs llama.cpp: \(differences.count) values, mean |Δ| \(mean), max |Δ| \(differences.max()!), top-1 compared at \(compared) steps, flipped at \(flips)")
        XCTAssertGreaterThan(differences.count, 100)
        XCTAssertLessThan(mean, 0.1)
        XCTAssertLessThan(differences.max()!, 0.5)
        XCTAssertLessThanOrEqual(flips.count, 1)
    }

    func greedy(_ prompt: ForwardReference.Prompt) throws -> GenerationResult {
        try Generator(session: session(), tokenizer: SmolLM2.tokenizer()).generate(
            prompt: prompt.ids, maxTokens: prompt.greedyIds.count, sampling: .greedy)
    }

    /// "Turn on the kitchen lights" as a chat turn: llama.cpp echoes it and ends the turn, and so must we.
    func testGreedyChatTextEqualsLlamaCpp() throws {
        let prompt = try XCTUnwrap(ForwardReference.load().prompts["chat_no_system"])
        let result = try greedy(prompt)
        XCTAssertEqual(result.text, prompt.greedyText)
        XCTAssertEqual(result.stopReason, .endOfGeneration)
        XCTAssertEqual(result.tokens + [try SmolLM2.tokenizer().eosID!], prompt.greedyIds)
    }

    /// "The capital of France is" → " Paris." and 31 more tokens. At its 15th token llama.cpp chose "1" over "2" by 0.06
    /// (its own log-probabilities -1.045 and -1.105), within its own rounding noise; our engine may take either
    /// there, so the continuation must equal llama.cpp's at every other position.
    func testGreedyPlainTextEqualsLlamaCpp() throws {
        let prompt = try XCTUnwrap(ForwardReference.load().prompts["plain_text"])
        let result = try greedy(prompt)
        XCTAssertEqual(result.tokens.count, prompt.greedyIds.count)
        XCTAssertTrue(result.text.hasPrefix(" Paris.\n\nThe United States has a population of approximately 3"))
        let differing = zip(result.tokens, prompt.greedyIds).enumerated().filter { $0.element.0 != $0.element.1 }
        XCTAssertTrue(differing.allSatisfy { $0.offset == 14 }, "ours: \(result.text) reference: \(prompt.greedyText)")
    }
}
