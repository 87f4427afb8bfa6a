import XCTest

@testable import SLM

final class SamplingLogProbabilityTests: XCTestCase {
    /// Full sort and log-sum-exp in double precision.
    func reference(_ scores: [Float], count: Int) -> [TokenLogprob] {
        let m = scores.map(Double.init).max()!
        let logTotal = m + log(scores.reduce(0.0) { $0 + exp(Double($1) - m) })
        let order = scores.indices.sorted { scores[$0] > scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
        return order.prefix(count).map { TokenLogprob(id: Int32($0), logprob: Double(scores[$0]) - logTotal) }
    }

    func assertClose(_ a: [TokenLogprob], _ b: [TokenLogprob], _ message: String, accuracy: Double = 1e-9) {
        XCTAssertEqual(a.map(\.id), b.map(\.id), message)
        for (x, y) in zip(a, b) { XCTAssertEqual(x.logprob, y.logprob, accuracy: accuracy, message) }
    }

    func testTopFiveMatchesDoublePrecisionReference() {
        for (seed, scale, offset) in [(1, Float(1), Float(0)), (2, 3, 0), (3, 1, 1000), (4, 0.1, -5000)] {
            let scores = samplingRandomScores(49_152, seed: UInt64(seed)).map { $0 * scale + offset }
            let got = logSoftmaxTop(scores, count: 5)
            XCTAssertEqual(got.count, 5)
            assertClose(got, reference(scores, count: 5), "seed \(seed)")
            XCTAssert(zip(got, got.dropFirst()).allSatisfy { $0.logprob >= $1.logprob })
        }
    }

    /// Scores that overflow a naive exp in Float and in Double still give finite log-probabilities.
    func testHugeScoresAreStable() {
        let scores: [Float] = [1e30, 1e30 - 1e24, -1e30, 0]
        let got = logSoftmaxTop(scores, count: 4)
        XCTAssertEqual(got.map(\.id), [0, 1, 3, 2])
        XCTAssertEqual(got[0].logprob, 0, accuracy: 1e-12)
        XCTAssert(got.allSatisfy { !$0.logprob.isNaN })
    }

    func testHandComputedValues() {
        // Equal scores: every token has log(1/4); ties in id order.
        assertClose(
            logSoftmaxTop([2, 2, 2, 2], count: 3), [0, 1, 2].map { TokenLogprob(id: $0, logprob: -log(4.0)) }, "flat")
        // Probabilities 0.5, 0.25, 0.25 as scores log 2, 0, 0 (log 2 rounded to Float: 2e-9 off).
        assertClose(
            logSoftmaxTop([0, Float(log(2.0)), 0], count: 5),
            [
                TokenLogprob(id: 1, logprob: -log(2.0)), TokenLogprob(id: 0, logprob: -log(4.0)),
                TokenLogprob(id: 2, logprob: -log(4.0)),
            ], "halves", accuracy: 1e-8)
        XCTAssertEqual(logSoftmaxTop([Float](), count: 5), [])
    }
}
