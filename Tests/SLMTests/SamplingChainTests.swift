import XCTest

@testable import SLM

/// A stand-in for constrained decoding: forbids odd tokens, and records what the chain tells it.
struct EvenTokensOnly: LogitProcessor {
    var sampled: [Int32] = []
    var prompt: [Int32] = []

    mutating func process(_ logits: inout Logits) {
        logits.updateEach { id, logit in
            if id % 2 == 1 { logit = -.infinity }
        }
    }

    mutating func didSample(token: Int32) { sampled.append(token) }
    mutating func didObservePrompt(token: Int32) { prompt.append(token) }
}

final class SamplingChainTests: XCTestCase {
    func testTemperatureZeroIsGreedyWhateverElseIsSet() throws {
        let scores = samplingRandomScores(1000, seed: 9)
        let expected = Int32(scores.indices.max { scores[$0] < scores[$1] }!)
        for seed: UInt64 in [0, 1, 2] {
            var chain = try SamplingChain(
                parameters: SamplingParameters(temperature: 0, topK: 5, topP: 0.5, minP: 0.2, seed: seed),
                vocabularySize: 1000)
            XCTAssert(chain.processors.isEmpty)
            XCTAssert(chain.sampler is GreedySampler)
            var buffer = scores
            XCTAssertEqual(chain.next(logits: &buffer), expected)
        }
    }

    func testTopKOneEqualsGreedyForAnySeed() throws {
        for seed: UInt64 in 0..<50 {
            let scores = samplingRandomScores(3000, seed: seed + 100, distinctValues: seed % 2 == 0 ? 50 : nil)
            var chain = try SamplingChain(
                parameters: SamplingParameters(temperature: 1.3, topK: 1, topP: 0.9, minP: 0.05, seed: seed),
                vocabularySize: scores.count)
            var greedy = try SamplingChain(parameters: .greedy, vocabularySize: scores.count)
            var a = scores
            var b = scores
            XCTAssertEqual(chain.next(logits: &a), greedy.next(logits: &b), "seed \(seed)")
        }
    }

    func testStandardOrder() throws {
        let chain = try SamplingChain(
            parameters: SamplingParameters(
                temperature: 0.7, topK: 40, topP: 0.95, minP: 0.05, repetitionPenalty: 1.1, seed: 1),
            vocabularySize: 100, constraints: [EvenTokensOnly()])
        let kinds = chain.processors.map { "\(type(of: $0))" }
        XCTAssertEqual(
            kinds,
            [
                "RepetitionPenaltyProcessor", "EvenTokensOnly", "TopKProcessor", "TopPProcessor", "MinPProcessor",
                "TemperatureProcessor",
            ], "llama.cpp's order: truncation sees the untempered distribution")
        XCTAssert(chain.sampler is RandomSampler)
        // Steps that change nothing are left out.
        let plain = try SamplingChain(
            parameters: SamplingParameters(temperature: 1, topK: nil, topP: 1, minP: 0), vocabularySize: 100)
        XCTAssert(plain.processors.isEmpty)
    }

    func testSameSeedSameTokensThroughTheChain() throws {
        func run(seed: UInt64) throws -> [Int32] {
            let params = SamplingParameters(temperature: 0.9, topK: 40, topP: 0.95, minP: 0.05, seed: seed)
            var chain = try SamplingChain(parameters: params, vocabularySize: 4096)
            return (0..<100).map { step in
                var scores = samplingRandomScores(4096, seed: UInt64(step)).map { $0 / 4 }
                return chain.next(logits: &scores)
            }
        }
        let a = try run(seed: 11)
        XCTAssertEqual(a, try run(seed: 11))
        XCTAssertNotEqual(a, try run(seed: 12))
    }

    func testConstraintsAreHonouredAndSeeOnlySampledTokens() throws {
        let scores = samplingRandomScores(64, seed: 5).map { $0 / 2 }
        for temperature: Float in [0, 1.5] {
            var chain = try SamplingChain(
                parameters: SamplingParameters(temperature: temperature, topK: 10, seed: 3), vocabularySize: 64,
                constraints: [EvenTokensOnly()])
            chain.accept(token: 7)
            var tokens: [Int32] = []
            for _ in 0..<200 {
                var buffer = scores
                tokens.append(chain.next(logits: &buffer))
            }
            XCTAssert(tokens.allSatisfy { $0 % 2 == 0 }, "\(tokens)")
            let constraint = chain.processors.compactMap { $0 as? EvenTokensOnly }.first!
            XCTAssertEqual(constraint.sampled, tokens)
            XCTAssertEqual(constraint.prompt, [7])
        }
    }

    func testAcceptedPromptTokensArePenalized() throws {
        var chain = try SamplingChain(
            parameters: SamplingParameters(temperature: 0, repetitionPenalty: 1.5, repetitionWindow: 4),
            vocabularySize: 3)
        var scores: [Float] = [3, 2.5, -1]
        XCTAssertEqual(chain.next(logits: &scores), 0)
        XCTAssertEqual(scores, [3, 2.5, -1])  // nothing to penalize yet
        scores = [3, 2.5, -1]
        XCTAssertEqual(chain.next(logits: &scores), 1)  // the sampled 0 is: 3 / 1.5 = 2 < 2.5
        chain.reset()
        chain.accept(token: 0)
        scores = [3, 2.5, -1]
        XCTAssertEqual(chain.next(logits: &scores), 1)  // 3 / 1.5 = 2 < 2.5
        scores = [3, 2.5, -1]
        XCTAssertEqual(chain.next(logits: &scores), 0)  // 0 and 1 both penalized: 2 > 2.5 / 1.5
    }

    /// Nothing is allocated per token: a step that copied the working set (an array written while another
    /// reference to it is alive) would move its storage to a new buffer.
    func testStepsKeepTheWorkingSetStorage() throws {
        func addresses(_ l: Logits) -> [UnsafeRawPointer?] {
            [
                l.storage.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) },
                l.scratch.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) },
                l.blockSums.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) },
            ]
        }
        let chains: [[any LogitProcessor]] = [
            [],
            [try TopKProcessor(k: 40), try TemperatureProcessor(temperature: 0.8), try TopPProcessor(p: 0.95)],
            [try TemperatureProcessor(temperature: 0.8), try TopPProcessor(p: 0.95)],
            [try TemperatureProcessor(temperature: 0.8), try MinPProcessor(p: 0.05), try TopPProcessor(p: 0.9)],
            [try RepetitionPenaltyProcessor(penalty: 1.2, vocabularySize: 3000), EvenTokensOnly()],
        ]
        for var processors in chains {
            var samplers: [any LogitSampler] = [GreedySampler(), RandomSampler(seed: 1)]
            var logits = Logits(vocabularySize: 3000)
            let before = addresses(logits)
            for step in 0..<4 {
                var scores = samplingRandomScores(3000, seed: UInt64(step))
                scores.withUnsafeMutableBufferPointer { buffer in
                    logits.load(buffer)
                    for i in processors.indices { processors[i].process(&logits) }
                    let token = samplers[step % 2].sample(&logits)
                    for i in processors.indices { processors[i].didSample(token: token) }
                }
            }
            XCTAssertEqual(addresses(logits), before, "\(processors.map { type(of: $0) })")
        }
    }

    func testInvalidParametersThrowWithTheirName() {
        let table: [(SamplingParameters, String)] = [
            (SamplingParameters(temperature: -0.1), "temperature"),
            (SamplingParameters(temperature: .nan), "temperature"),
            (SamplingParameters(topK: 0), "top_k"),
            (SamplingParameters(topP: 1.5), "top_p"),
            (SamplingParameters(topP: 0), "top_p"),
            (SamplingParameters(minP: 1), "min_p"),
            (SamplingParameters(repetitionPenalty: -1), "repeat_penalty"),
            (SamplingParameters(repetitionWindow: -1), "repeat_last_n"),
            (SamplingParameters(frequencyPenalty: .nan), "frequency_penalty"),
            (SamplingParameters(presencePenalty: -.infinity), "presence_penalty"),
        ]
        for (parameters, expectedName) in table {
            XCTAssertThrowsError(try SamplingChain(parameters: parameters, vocabularySize: 10), expectedName) {
                guard case .invalidParameter(let name, _, _)? = $0 as? SamplingError else { return XCTFail("\($0)") }
                XCTAssertEqual(name, expectedName)
            }
        }
        XCTAssertNoThrow(try SamplingParameters().validate())
        XCTAssertNoThrow(try SamplingParameters.greedy.validate())
    }
}
