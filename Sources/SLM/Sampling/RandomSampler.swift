/// Draws a live token with probability softmax(score), from a seeded `Xoshiro256StarStar`. Each call consumes
/// exactly one 64-bit draw, so the generator's position depends only on how many tokens were sampled.
///
/// With a seed, the sequence of draws is the same on every platform, and so are the picks: the weights come from
/// `SamplingKernels.exponential`, plain float arithmetic rather than a platform's libm.
public struct RandomSampler: LogitSampler {
    public private(set) var generator: Xoshiro256StarStar

    public init(seed: UInt64) {
        generator = Xoshiro256StarStar(seed: seed)
    }

    /// Seeded once from the system's generator: not reproducible.
    public init() {
        var system = SystemRandomNumberGenerator()
        self.init(seed: system.next())
    }

    public mutating func sample(_ logits: inout Logits) -> Int32 {
        let u = generator.nextUnit()
        let m = logits.maxLogit()
        precondition(m > -.infinity, "every token was masked out")
        if m == .infinity {
            // A temperature close to zero overflowed some scores to +inf: take the first of them, as greedy would.
            var greedy = GreedySampler()
            return greedy.sample(&logits)
        }
        let n = logits.count
        if logits.isNarrowed {
            logits.withCandidatesAndScratch { c, w in
                for i in c.indices { w[i] = SamplingKernels.exponential(c[i].logit - m) }
            }
        } else {
            let values = UnsafeBufferPointer(logits.raw)
            logits.scratch.withUnsafeMutableBufferPointer { w in
                SamplingKernels.exponentials(values, minus: m, into: w.baseAddress!)
            }
        }
        let index = logits.scratch.withUnsafeBufferPointer { w in
            logits.blockSums.withUnsafeMutableBufferPointer { b in
                let weights = UnsafeBufferPointer(rebasing: w[..<n])
                let total = SamplingKernels.sumBlocks(weights, into: b.baseAddress!)
                let blockCount = (n + SamplingKernels.blockSize - 1) / SamplingKernels.blockSize
                let sums = UnsafeBufferPointer(rebasing: b[..<blockCount])
                return SamplingKernels.walk(weights, blockSums: sums, to: u * total)
            }
        }
        return logits.withCandidates { $0[index].id } ?? Int32(truncatingIfNeeded: index)
    }
}
