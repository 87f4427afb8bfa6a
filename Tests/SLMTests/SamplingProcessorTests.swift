import XCTest

@testable import SLM

/// Scores whose softmax is `probabilities` (up to rounding of the logarithm).
func samplingScores(probabilities: [Double]) -> [Float] {
    probabilities.map { Float(log($0)) }
}

final class SamplingProcessorTests: XCTestCase {
    // Probabilities 0.5, 0.2, 0.15, 0.1, 0.05, scattered over ids so that sorting matters:
    // id 3: 0.5, id 0: 0.2, id 4: 0.15, id 1: 0.1, id 2: 0.05.
    let scattered = samplingScores(probabilities: [0.2, 0.1, 0.05, 0.5, 0.15])

    // MARK: repetition penalty

    func testRepetitionPenaltyChangesExactlyThePenalizedTokens() throws {
        let start: [Float] = [2, -2, 0, 4, -1, 3]
        var penalty = try RepetitionPenaltyProcessor(penalty: 2, window: 64, vocabularySize: 6)
        for t: Int32 in [0, 1, 2, 0] { penalty.didObservePrompt(token: t) }
        let after = withSamplingLogits(start) { logits in
            penalty.process(&logits)
            return Array(logits.raw)
        }
        // Positive: divided (once, though token 0 is there twice). Negative and zero: multiplied. Others untouched.
        XCTAssertEqual(after, [1, -4, 0, 4, -1, 3])
    }

    func testFrequencyAndPresencePenalties() throws {
        var penalty = try RepetitionPenaltyProcessor(
            penalty: 2, window: 64, frequencyPenalty: 0.5, presencePenalty: 0.25, vocabularySize: 6)
        for t: Int32 in [0, 1, 2, 0] { penalty.didSample(token: t) }
        let after = withSamplingLogits([2, -2, 0, 4, -1, 3]) { logits in
            penalty.process(&logits)
            return Array(logits.raw)
        }
        // Token 0 (twice): 2/2 - (2*0.5 + 0.25); token 1: -2*2 - 0.75; token 2: 0*2 - 0.75.
        XCTAssertEqual(after, [-0.25, -4.75, -0.75, 4, -1, 3])
    }

    func testRepetitionWindowForgetsOldTokens() throws {
        var penalty = try RepetitionPenaltyProcessor(penalty: 2, window: 3, vocabularySize: 6)
        for t: Int32 in [5, 0, 1, 2] { penalty.didObservePrompt(token: t) }
        XCTAssertEqual(penalty.history, [0, 1, 2])
        var after = withSamplingLogits([2, 2, 2, 2, 2, 2]) { logits in
            penalty.process(&logits)
            return Array(logits.raw)
        }
        XCTAssertEqual(after, [1, 1, 1, 2, 2, 2])
        for t: Int32 in [3, 3] { penalty.didSample(token: t) }
        XCTAssertEqual(penalty.history, [2, 3, 3])
        after = withSamplingLogits([2, 2, 2, 2, 2, 2]) { logits in
            penalty.process(&logits)
            return Array(logits.raw)
        }
        XCTAssertEqual(after, [2, 2, 1, 1, 2, 2])
        penalty.reset()
        XCTAssertEqual(penalty.history, [])
        after = withSamplingLogits([2, 2, 2, 2, 2, 2]) { logits in
            penalty.process(&logits)
            return Array(logits.raw)
        }
        XCTAssertEqual(after, [2, 2, 2, 2, 2, 2])
    }

    func testRepetitionPenaltyOnNarrowedCandidates() throws {
        var penalty = try RepetitionPenaltyProcessor(penalty: 4, window: 8, vocabularySize: 6)
        penalty.didSample(token: 3)
        penalty.didSample(token: 1)  // not a candidate: nothing to do
        penalty.didSample(token: 5)
        var topK = try TopKProcessor(k: 2)
        let live = withSamplingLogits([2, -2, 0, 4, -1, 3]) { logits -> [TokenLogit] in
            topK.process(&logits)
            penalty.process(&logits)
            return samplingLiveTokens(logits)
        }
        XCTAssertEqual(live, [TokenLogit(id: 3, logit: 1), TokenLogit(id: 5, logit: 0.75)])
    }

    // MARK: temperature

    func testTemperatureDividesScores() throws {
        for (t, expected) in [(Float(0.5), [Float(2), -4, 1, 0]), (2, [0.5, -1, 0.25, 0]), (1, [1, -2, 0.5, 0])] {
            var temperature = try TemperatureProcessor(temperature: t)
            let after = withSamplingLogits([1, -2, 0.5, 0]) { logits in
                temperature.process(&logits)
                return Array(logits.raw)
            }
            XCTAssertEqual(after, expected, "T = \(t)")
        }
    }

    /// Other temperatures multiply by 1/T: within an ulp of dividing.
    func testTemperatureIsWithinAnUlpOfDivision() throws {
        let scores = samplingRandomScores(1000, seed: 8)
        for t: Float in [0.7, 0.8, 1.3, 3] {
            var temperature = try TemperatureProcessor(temperature: t)
            let after = withSamplingLogits(scores) { logits in
                temperature.process(&logits)
                return Array(logits.raw)
            }
            for (x, y) in zip(scores, after) { XCTAssertLessThanOrEqual(abs(x / t - y), (x / t).ulp, "T = \(t)") }
        }
    }

    func testTemperatureOnCandidatesOnly() throws {
        var topK = try TopKProcessor(k: 2)
        var temperature = try TemperatureProcessor(temperature: 0.25)
        let live = withSamplingLogits([1, -2, 0.5, 0]) { logits -> [TokenLogit] in
            topK.process(&logits)
            temperature.process(&logits)
            return samplingLiveTokens(logits)
        }
        XCTAssertEqual(live, [TokenLogit(id: 0, logit: 4), TokenLogit(id: 2, logit: 2)])
    }

    // MARK: top-k

    func testTopKKeepsBestFirstWithTiesToLowerIds() throws {
        let table: [(scores: [Float], k: Int, ids: [Int32])] = [
            ([0.1, 2, 3, 1, 3], 1, [2]),
            ([0.1, 2, 3, 1, 3], 2, [2, 4]),
            ([0.1, 2, 3, 1, 3], 3, [2, 4, 1]),
            ([0.1, 2, 3, 1, 3], 9, [2, 4, 1, 3, 0]),
            ([1, 1, 1, 1], 2, [0, 1]),
            ([-.infinity, -1, -.infinity, -3], 3, [1, 3, 0]),
        ]
        for row in table {
            var topK = try TopKProcessor(k: row.k)
            let ids = withSamplingLogits(row.scores) { logits -> [Int32] in
                topK.process(&logits)
                XCTAssert(logits.isSorted)
                return samplingLiveTokens(logits).map(\.id)
            }
            XCTAssertEqual(ids, row.ids, "\(row.scores) k \(row.k)")
        }
    }

    func testTopKOnUnsortedCandidates() throws {
        var minP = try MinPProcessor(p: 0.01)
        var topK = try TopKProcessor(k: 2)
        let live = withSamplingLogits([1, 3, 2, 3, 0]) { logits -> [TokenLogit] in
            minP.process(&logits)
            XCTAssertFalse(logits.isSorted)
            topK.process(&logits)
            return samplingLiveTokens(logits)
        }
        XCTAssertEqual(live, [TokenLogit(id: 1, logit: 3), TokenLogit(id: 3, logit: 3)])
    }

    // MARK: top-p

    /// Hand-computed nucleus of 0.5, 0.2, 0.15, 0.1, 0.05: cumulative 0.5, 0.7, 0.85, 0.95, 1.
    func testTopPKeepsSmallestSetReachingP() throws {
        let table: [(p: Float, ids: [Int32])] = [
            (0.4, [3]), (0.6, [3, 0]), (0.8, [3, 0, 4]), (0.9, [3, 0, 4, 1]), (0.99, [3, 0, 4, 1, 2]),
            (1, [0, 1, 2, 3, 4]),  // a no-op: every token stays live, in id order
        ]
        for row in table {
            var topP = try TopPProcessor(p: row.p)
            let ids = withSamplingLogits(scattered) { logits -> [Int32] in
                topP.process(&logits)
                return samplingLiveTokens(logits).map(\.id)
            }
            XCTAssertEqual(ids, row.ids, "p \(row.p)")
        }
    }

    /// After top-k the probabilities are renormalized over the k candidates: top-2 leaves 0.5/0.7 ≈ 0.714 and
    /// 0.2/0.7, so p = 0.6 keeps one token where it keeps two on the whole vocabulary.
    func testTopPAfterTopKRenormalizes() throws {
        var topK = try TopKProcessor(k: 2)
        var topP = try TopPProcessor(p: 0.6)
        let ids = withSamplingLogits(scattered) { logits -> [Int32] in
            topK.process(&logits)
            topP.process(&logits)
            return samplingLiveTokens(logits).map(\.id)
        }
        XCTAssertEqual(ids, [3])
    }

    /// A flat distribution over 5,000 tokens needs 2,500 for p = 0.5: past the first two selection bounds.
    func testTopPWidensSelectionUntilMassIsReached() throws {
        var topP = try TopPProcessor(p: 0.5)
        let ids = withSamplingLogits([Float](repeating: 0, count: 5000)) { logits -> [Int32] in
            topP.process(&logits)
            return samplingLiveTokens(logits).map(\.id)
        }
        XCTAssertEqual(ids, (0..<2500).map { Int32($0) })
    }

    func testTopPAgreesWithDoublePrecisionReference() throws {
        for (seed, p) in [(31, Float(0.9)), (32, 0.5), (33, 0.95), (34, 0.99)] {
            // Scale so that the nucleus ranges from a handful to thousands of tokens.
            let scores = samplingRandomScores(8000, seed: UInt64(seed)).map { $0 * Float(seed - 30) / 4 }
            var topP = try TopPProcessor(p: p)
            let ids = withSamplingLogits(scores) { logits -> [Int32] in
                topP.process(&logits)
                return samplingLiveTokens(logits).map(\.id)
            }
            let sorted = scores.indices.sorted { scores[$0] > scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
            let m = Double(scores[sorted[0]])
            let total = scores.reduce(0.0) { $0 + exp(Double($1) - m) }
            var mass = 0.0
            var expected: [Int32] = []
            for i in sorted {
                expected.append(Int32(i))
                mass += exp(Double(scores[i]) - m) / total
                if mass >= Double(p) { break }
            }
            XCTAssertEqual(ids, expected, "seed \(seed) p \(p)")
        }
    }

    // MARK: min-p

    func testMinPRemovesTokensBelowPTimesMaxProbability() throws {
        // Max probability 0.5: thresholds 0.075, 0.125, 0.175, 0.45, and pairs just either side of 0.1 and 0.15.
        let table: [(p: Float, ids: [Int32])] = [
            (0.15, [0, 1, 3, 4]), (0.25, [0, 3, 4]), (0.35, [0, 3]), (0.9, [3]), (0, [0, 1, 2, 3, 4]),
            (0.19, [0, 1, 3, 4]), (0.21, [0, 3, 4]), (0.29, [0, 3, 4]), (0.31, [0, 3]),
        ]
        for row in table {
            var minP = try MinPProcessor(p: row.p)
            let ids = withSamplingLogits(scattered) { logits -> [Int32] in
                minP.process(&logits)
                return samplingLiveTokens(logits).map(\.id)
            }
            XCTAssertEqual(ids, row.ids, "p \(row.p)")
        }
    }

    func testMinPOnSortedCandidatesKeepsOrder() throws {
        var topK = try TopKProcessor(k: 4)
        var minP = try MinPProcessor(p: 0.25)
        let ids = withSamplingLogits(scattered) { logits -> [Int32] in
            topK.process(&logits)
            minP.process(&logits)
            XCTAssert(logits.isSorted)
            return samplingLiveTokens(logits).map(\.id)
        }
        XCTAssertEqual(ids, [3, 0, 4])
    }

    // MARK: parameters

    func testInvalidProcessorParametersThrowWithTheirName() {
        let table: [(name: String, value: Double, make: () throws -> Any)] = [
            ("temperature", 0, { try TemperatureProcessor(temperature: 0) }),
            ("temperature", -1, { try TemperatureProcessor(temperature: -1) }),
            ("temperature", .infinity, { try TemperatureProcessor(temperature: .infinity) }),
            ("top_k", 0, { try TopKProcessor(k: 0) }),
            ("top_p", 0, { try TopPProcessor(p: 0) }),
            ("top_p", 1.5, { try TopPProcessor(p: 1.5) }),
            ("min_p", 1, { try MinPProcessor(p: 1) }),
            ("min_p", -0.5, { try MinPProcessor(p: -0.5) }),
            ("repeat_penalty", 0, { try RepetitionPenaltyProcessor(penalty: 0, vocabularySize: 4) }),
            ("repeat_last_n", -1, { try RepetitionPenaltyProcessor(penalty: 1.1, window: -1, vocabularySize: 4) }),
            (
                "presence_penalty", .infinity,
                { try RepetitionPenaltyProcessor(penalty: 1.1, presencePenalty: .infinity, vocabularySize: 4) }
            ),
        ]
        for row in table {
            XCTAssertThrowsError(try row.make(), row.name) { error in
                guard case .invalidParameter(let name, let value, _)? = error as? SamplingError else {
                    return XCTFail("\(error)")
                }
                XCTAssertEqual(name, row.name)
                XCTAssertEqual(value, row.value)
                XCTAssert("\(error)".contains(row.name))
            }
        }
        XCTAssertEqual(
            "\(SamplingError.invalidParameter(name: "top_p", value: 1.5, reason: "must be in (0, 1]"))",
            "invalid sampling parameter top_p = 1.5: must be in (0, 1]")
    }
}
