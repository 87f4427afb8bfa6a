import XCTest

@testable import SLM

final class SamplingSamplerTests: XCTestCase {
    func testGreedyPicksArgmaxWithTiesToLowestId() {
        let table: [(scores: [Float], id: Int32)] = [
            ([1, 3, 2], 1),
            ([5, 5, 1], 0),
            ([-1, -3, -1], 0),
            ([-.infinity, -.infinity, 2], 2),
            ([0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1], 9),
            ([-2, 7, 7.5, 7.5, 3], 2),
        ]
        for row in table {
            var greedy = GreedySampler()
            XCTAssertEqual(withSamplingLogits(row.scores) { greedy.sample(&$0) }, row.id, "\(row.scores)")
        }
    }

    func testGreedyOnUnsortedCandidates() throws {
        var minP = try MinPProcessor(p: 0.5)
        var greedy = GreedySampler()
        let id = withSamplingLogits([1, 4, 0, 4, 3.9]) { logits -> Int32 in
            minP.process(&logits)
            XCTAssert(logits.isNarrowed && !logits.isSorted)
            return greedy.sample(&logits)
        }
        XCTAssertEqual(id, 1)
    }

    func testGreedyDoesNotCopyOrEditTheBuffer() {
        var scores: [Float] = [0.5, 2, -1]
        var greedy = GreedySampler()
        scores.withUnsafeMutableBufferPointer { buffer in
            var logits = Logits(vocabularySize: 3)
            logits.load(buffer)
            XCTAssertEqual(greedy.sample(&logits), 1)
            XCTAssertEqual(logits.raw.baseAddress, buffer.baseAddress)
        }
        XCTAssertEqual(scores, [0.5, 2, -1])
    }

    /// Pearson's chi-square of `counts` against `probabilities`.
    func chiSquare(_ counts: [Int], _ probabilities: [Double]) -> Double {
        let n = Double(counts.reduce(0, +))
        return zip(counts, probabilities).reduce(0.0) { sum, pair in
            let expected = n * pair.1
            return expected > 0 ? sum + (Double(pair.0) - expected) * (Double(pair.0) - expected) / expected : sum
        }
    }

    func softmax(_ scores: [Float]) -> [Double] {
        let m = Double(scores.max()!)
        let e = scores.map { exp(Double($0) - m) }
        let total = e.reduce(0, +)
        return e.map { $0 / total }
    }

    /// 20,000 draws over eight tokens. The seed makes the outcome fixed, so the bounds are not a flaky tolerance:
    /// chi-square 24.3 is the 0.1% critical value for 7 degrees of freedom, and an off-by-one or a wrong
    /// normalization puts it in the thousands.
    func testEmpiricalDistributionMatchesSoftmax() {
        let scores: [Float] = [1, 2, 0.5, -1, 3, 0, 1.5, -0.5]
        var sampler = RandomSampler(seed: 42)
        var counts = [Int](repeating: 0, count: scores.count)
        var logits = Logits(vocabularySize: scores.count)
        var buffer = scores
        buffer.withUnsafeMutableBufferPointer { b in
            for _ in 0..<20_000 {
                logits.load(b)
                counts[Int(sampler.sample(&logits))] += 1
            }
        }
        let p = softmax(scores)
        XCTAssertLessThan(chiSquare(counts, p), 24.3, "\(counts)")
        for i in p.indices { XCTAssertEqual(Double(counts[i]) / 20_000, p[i], accuracy: 0.01, "token \(i)") }
    }

    /// The same through a narrowing step: top-4 of the scores above, renormalized, and nothing else ever drawn.
    func testEmpiricalDistributionAfterTopKMatchesRenormalizedSoftmax() throws {
        let scores: [Float] = [1, 2, 0.5, -1, 3, 0, 1.5, -0.5]
        var topK = try TopKProcessor(k: 4)
        var sampler = RandomSampler(seed: 7)
        var counts = [Int](repeating: 0, count: scores.count)
        var logits = Logits(vocabularySize: scores.count)
        var buffer = scores
        buffer.withUnsafeMutableBufferPointer { b in
            for _ in 0..<20_000 {
                logits.load(b)
                topK.process(&logits)
                counts[Int(sampler.sample(&logits))] += 1
            }
        }
        let kept: Set = [4, 1, 6, 0]
        let p = softmax(scores.indices.map { kept.contains($0) ? scores[$0] : -.infinity })
        XCTAssertEqual(counts[2] + counts[3] + counts[5] + counts[7], 0)
        XCTAssertLessThan(chiSquare(counts, p), 16.3, "\(counts)")  // 3 degrees of freedom
    }

    /// A 512-token vocabulary through the unnarrowed path, with temperature; 616 is the 0.1% critical value of
    /// chi-square for 511 degrees of freedom.
    func testEmpiricalDistributionOverLargerVocabularyWithTemperature() throws {
        let scores = samplingRandomScores(512, seed: 77).map { $0 / 10 }
        var temperature = try TemperatureProcessor(temperature: 0.5)
        var sampler = RandomSampler(seed: 1234)
        var counts = [Int](repeating: 0, count: scores.count)
        var logits = Logits(vocabularySize: scores.count)
        var buffer = scores
        for _ in 0..<20_000 {
            buffer = scores
            buffer.withUnsafeMutableBufferPointer { b in
                logits.load(b)
                temperature.process(&logits)
                counts[Int(sampler.sample(&logits))] += 1
            }
        }
        let p = softmax(scores.map { $0 / 0.5 })
        XCTAssertLessThan(chiSquare(counts, p), 616, "\(counts)")
        for i in p.indices { XCTAssertEqual(Double(counts[i]) / 20_000, p[i], accuracy: 0.01, "token \(i)") }
    }

    func draws(seed: UInt64, count: Int) -> [Int32] {
        let scores = samplingRandomScores(100, seed: 3).map { $0 / 5 }
        var sampler = RandomSampler(seed: seed)
        return (0..<count).map { _ in withSamplingLogits(scores) { sampler.sample(&$0) } }
    }

    func testSameSeedSameSequenceDifferentSeedDifferent() {
        let a = draws(seed: 2024, count: 200)
        XCTAssertEqual(a, draws(seed: 2024, count: 200))
        XCTAssertNotEqual(a, draws(seed: 2025, count: 200))
        XCTAssertGreaterThan(Set(a).count, 20)  // really random, not stuck on one token
    }

    func testOverflowedScoresFallBackToGreedyAndMaskedTokensAreNeverDrawn() {
        var sampler = RandomSampler(seed: 1)
        for _ in 0..<100 {
            XCTAssertEqual(withSamplingLogits([1, .infinity, 2, .infinity]) { sampler.sample(&$0) }, 1)
            XCTAssertEqual(withSamplingLogits([-.infinity, 0, -.infinity, 0]) { sampler.sample(&$0) } % 2, 1)
        }
    }
}
