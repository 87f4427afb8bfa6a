import XCTest

@testable import SLM

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Cost per token of the sampling chain, printed, never asserted. Runs only with SLM_SAMPLING_BENCH=1, in a
/// release build:
///
///     SLM_SAMPLING_BENCH=1 swift test -c release -Xswiftc -enable-testing --scratch-path .build-sampling \
///         --filter SamplingBenchmarkTests
final class SamplingBenchmarkTests: XCTestCase {
    /// Scores shaped like a language model's: a broad normal bulk and a few dozen clear favourites.
    static func modelLikeScores(vocabularySize: Int, seed: UInt64) -> [Float] {
        var g = Xoshiro256StarStar(seed: seed)
        var scores = (0..<vocabularySize).map { _ -> Float in
            // Box-Muller, standard deviation 2.
            let u = max(g.nextUnit(), 1e-12)
            let v = g.nextUnit()
            return Float(2 * (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v))
        }
        for rank in 0..<30 { scores[Int(g.next() % UInt64(vocabularySize))] = 14 - Float(rank) / 3 }
        return scores
    }

    func now() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }

    /// Median and mean microseconds of `next`, each step timed alone after an untimed copy of fresh scores into
    /// the working buffer, so that another process's bursts on a shared machine move the median little.
    func measure(_ parameters: SamplingParameters, vocabularySize: Int, steps: Int = 3000) throws -> (Double, Double) {
        let sources = (0..<8).map { Self.modelLikeScores(vocabularySize: vocabularySize, seed: UInt64($0)) }
        var chain = try SamplingChain(parameters: parameters, vocabularySize: vocabularySize)
        for t in 0..<64 { chain.accept(token: Int32(t * 97 % vocabularySize)) }
        var buffer = sources[0]
        var durations = [Double](repeating: 0, count: steps)
        var checksum = 0
        for step in -300..<steps {
            buffer.withUnsafeMutableBufferPointer { b in
                sources[(step + 300) % 8].withUnsafeBufferPointer {
                    b.baseAddress!.update(from: $0.baseAddress!, count: $0.count)
                }
                let start = now()
                checksum &+= Int(chain.next(logits: b))
                if step >= 0 { durations[step] = now() - start }
            }
        }
        XCTAssertGreaterThanOrEqual(checksum, 0)
        durations.sort()
        return (durations[steps / 2] * 1e6, durations.reduce(0, +) / Double(steps) * 1e6)
    }

    func testCostPerToken() throws {
        try XCTSkipUnless(ProcessInfo.processInfo.environment["SLM_SAMPLING_BENCH"] == "1", "set SLM_SAMPLING_BENCH=1")
        let configurations: [(String, SamplingParameters)] = [
            ("greedy", .greedy),
            ("greedy + repeat_penalty 1.1 (64)", SamplingParameters(temperature: 0, repetitionPenalty: 1.1)),
            (
                "T 0.8, top-k 40, top-p 0.95",
                SamplingParameters(temperature: 0.8, topK: 40, topP: 0.95, minP: nil, seed: 1)
            ),
            ("T 0.8, top-k 40, top-p 0.95, min-p 0.05", SamplingParameters(seed: 1)),
            ("T 0.8, top-p 0.95", SamplingParameters(temperature: 0.8, topK: nil, topP: 0.95, minP: nil, seed: 1)),
            ("T 0.8, min-p 0.05", SamplingParameters(temperature: 0.8, topK: nil, topP: nil, minP: 0.05, seed: 1)),
            ("T 0.8 only", SamplingParameters(temperature: 0.8, topK: nil, topP: nil, minP: nil, seed: 1)),
        ]
        for vocabularySize in [49_152, 262_144] {
            for (name, parameters) in configurations {
                let (median, mean) = try measure(parameters, vocabularySize: vocabularySize)
                print(
                    String(format: "vocab %d: %@: median %.1f us/token, mean %.1f", vocabularySize, name, median, mean))
            }
            let scores = Self.modelLikeScores(vocabularySize: vocabularySize, seed: 1)
            let start = now()
            var sum = 0.0
            for _ in 0..<200 { sum += logSoftmaxTop(scores, count: 5)[0].logprob }
            XCTAssert(sum.isFinite)
            print(
                String(format: "vocab %d: logSoftmaxTop 5: mean %.1f us", vocabularySize, (now() - start) / 200 * 1e6))
        }
    }
}
