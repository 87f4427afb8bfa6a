import XCTest

@testable import SLM

/// Loads `values` into a fresh working set, runs `body` on it, and returns what `body` returns. The buffer lives
/// only for the call, as in `SamplingChain.next`.
func withSamplingLogits<R>(_ values: [Float], _ body: (inout Logits) throws -> R) rethrows -> R {
    var values = values
    return try values.withUnsafeMutableBufferPointer { buffer in
        var logits = Logits(vocabularySize: buffer.count)
        logits.load(buffer)
        return try body(&logits)
    }
}

/// The live tokens of `logits` in its current order (id order while unnarrowed).
func samplingLiveTokens(_ logits: Logits) -> [TokenLogit] {
    logits.withCandidates { Array($0) }
        ?? logits.raw.indices.map { TokenLogit(id: Int32($0), logit: logits.raw[$0]) }
}

/// Deterministic test data: `count` scores drawn from our own generator, optionally rounded to a few values so
/// that ties are common.
func samplingRandomScores(_ count: Int, seed: UInt64, distinctValues: Int? = nil) -> [Float] {
    var g = Xoshiro256StarStar(seed: seed)
    return (0..<count).map { _ in
        let u = g.nextUnit()
        if let d = distinctValues { return Float(Int(u * Double(d))) }
        return Float(u * 20 - 10)
    }
}

final class SamplingKernelTests: XCTestCase {
    func testArgmaxAgreesWithReference() {
        for (count, seed) in [(1, 1), (7, 2), (8, 3), (9, 4), (31, 5), (1000, 6), (49_152, 7), (49_157, 8)] {
            for distinct in [nil, 3] as [Int?] {
                let v = samplingRandomScores(count, seed: UInt64(seed), distinctValues: distinct)
                v.withUnsafeBufferPointer { b in
                    XCTAssertEqual(SamplingKernels.argmax(b), SamplingKernels.argmaxReference(b), "count \(count)")
                }
            }
        }
    }

    func testArgmaxFindsMaximumInTailAndFirstOfTies() {
        var v = [Float](repeating: -1, count: 21)
        v[20] = 5  // past the last full group of eight
        XCTAssertEqual(v.withUnsafeBufferPointer(SamplingKernels.argmax), 20)
        v[13] = 5
        XCTAssertEqual(v.withUnsafeBufferPointer(SamplingKernels.argmax), 13)
        let masked = [Float](repeating: -.infinity, count: 10)
        XCTAssertEqual(masked.withUnsafeBufferPointer(SamplingKernels.argmax), 0)
    }

    func testSelectBestAgreesWithReference() {
        for (count, seed) in [(1, 11), (5, 12), (64, 13), (1000, 14), (49_152, 15)] {
            for distinct in [nil, 4, 100] as [Int?] {
                let v = samplingRandomScores(count, seed: UInt64(seed), distinctValues: distinct)
                for k in Set([1, 2, 5, 40, 256, count].filter { $0 <= count }) {
                    var got = [TokenLogit](repeating: TokenLogit(id: -1, logit: 0), count: k)
                    v.withUnsafeBufferPointer { b in
                        got.withUnsafeMutableBufferPointer { SamplingKernels.selectBest(k, of: b, into: $0) }
                        XCTAssertEqual(got, SamplingKernels.selectBestReference(k, of: b), "count \(count) k \(k)")
                    }
                }
            }
        }
    }

    func testSelectBestInPlaceAndSortAgreeWithReference() {
        let v = samplingRandomScores(300, seed: 21, distinctValues: 7)
        let all = v.indices.map { TokenLogit(id: Int32($0), logit: v[$0]) }
        let reference = all.sorted(by: TokenLogit.ranksAbove)
        for k in [1, 3, 50, 300] {
            var c = all.shuffled(using: &SplitMix64.testGenerator)
            c.withUnsafeMutableBufferPointer { SamplingKernels.selectBestInPlace(k, of: $0) }
            XCTAssertEqual(Array(c.prefix(k)), Array(reference.prefix(k)), "k \(k)")
        }
        var c = all.shuffled(using: &SplitMix64.testGenerator)
        c.withUnsafeMutableBufferPointer { SamplingKernels.sortBestFirst($0) }
        XCTAssertEqual(c, reference)
    }

    func testSplitMix64MatchesPublishedOutputs() {
        var g = SplitMix64(seed: 0)
        XCTAssertEqual(
            [g.next(), g.next(), g.next()], [0xE220_A839_7B1D_CDAF, 0x6E78_9E6A_A1B9_65F4, 0x06C4_5D18_8009_454F])
    }

    /// Values from an independent implementation of xoshiro256** seeded through SplitMix64; they pin the
    /// sequence, so a seed means the same draws on every platform and in every release.
    func testXoshiroSequenceIsPinned() {
        var g = Xoshiro256StarStar(seed: 0)
        XCTAssertEqual(
            (0..<4).map { _ in g.next() },
            [0x99EC_5F36_CB75_F2B4, 0xBF6E_1F78_4956_452A, 0x1A5F_849D_4933_E6E0, 0x6AA5_94F1_262D_2D2C])
        var h = Xoshiro256StarStar(seed: 0xDEAD_BEEF)
        XCTAssertEqual(
            (0..<4).map { _ in h.next() },
            [0xC555_5444_A74D_7E83, 0x65C3_0D37_B4B1_6E38, 0x54F7_7320_0A4E_FA23, 0x429A_ED75_FB95_8AF7])
    }

    func testUnitDrawsAreInRange() {
        var g = Xoshiro256StarStar(seed: 5)
        var sum = 0.0
        for _ in 0..<10_000 {
            let u = g.nextUnit()
            XCTAssert(u >= 0 && u < 1)
            sum += u
        }
        XCTAssertEqual(sum / 10_000, 0.5, accuracy: 0.01)
    }
}

extension SplitMix64 {
    static var testGenerator = SplitMix64(seed: 99)
}

final class SamplingExponentialTests: XCTestCase {
    func testExponentialAgreesWithDoublePrecision() {
        var worst = 0.0
        var x: Float = -87
        while x <= 0 {
            let e = exp(Double(x))
            worst = max(worst, abs(Double(SamplingKernels.exponential(x)) - e) / e)
            x += 0.000_37
        }
        XCTAssertLessThan(worst, 2e-7)
        XCTAssertEqual(SamplingKernels.exponential(0), 1)
        XCTAssertEqual(SamplingKernels.exponential(-.infinity), 0)
        XCTAssertEqual(SamplingKernels.exponential(-87.5), 0)
        XCTAssertEqual(SamplingKernels.exponential(-1000), 0)
    }

    func testCollectAgreesWithReference() {
        for count in [5, 64, 200, 49_157] {
            let v = samplingRandomScores(count, seed: UInt64(count))
            for threshold: Float in [-20, 0, 9.5, 11] {
                var kept = [TokenLogit](repeating: TokenLogit(id: -1, logit: 0), count: count)
                let n = v.withUnsafeBufferPointer { b in
                    kept.withUnsafeMutableBufferPointer {
                        SamplingKernels.collect(atLeast: threshold, of: b, into: $0.baseAddress!)
                    }
                }
                let expected = v.indices.filter { v[$0] >= threshold }.map { TokenLogit(id: Int32($0), logit: v[$0]) }
                XCTAssertEqual(Array(kept.prefix(n)), expected, "count \(count) threshold \(threshold)")
            }
        }
    }

    /// The block walk lands where a plain running sum crosses the target.
    func testWalkAgreesWithRunningSum() {
        for count in [1, 63, 64, 65, 1000] {
            var weights = samplingRandomScores(count, seed: UInt64(count) + 7).map { max(0, $0) }  // about half are 0
            weights[count - 1] = 1
            var sums = [Float](repeating: 0, count: (count + 63) / 64)
            let total = weights.withUnsafeBufferPointer { w in
                sums.withUnsafeMutableBufferPointer { SamplingKernels.sumBlocks(w, into: $0.baseAddress!) }
            }
            // Blocks add in Float.
            XCTAssertEqual(total, weights.reduce(0.0) { $0 + Double($1) }, accuracy: 1e-6 * total)
            var g = Xoshiro256StarStar(seed: 3)
            for _ in 0..<200 {
                let target = g.nextUnit() * total
                var running = 0.0
                let expected = weights.indices.first {
                    running += Double(weights[$0])
                    return target < running
                }
                let got = weights.withUnsafeBufferPointer { w in
                    sums.withUnsafeBufferPointer { SamplingKernels.walk(w, blockSums: $0, to: target) }
                }
                XCTAssertEqual(got, expected, "count \(count) target \(target)")
                XCTAssertGreaterThan(weights[got], 0)
            }
            // A target at the very end (rounding) takes the last positive weight.
            let end = weights.withUnsafeBufferPointer { w in
                sums.withUnsafeBufferPointer { SamplingKernels.walk(w, blockSums: $0, to: total * 2) }
            }
            XCTAssertEqual(end, count - 1)
        }
    }
}
