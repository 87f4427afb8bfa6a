#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Draws a live token with probability softmax(score), from a seeded `Xoshiro256StarStar`. Each call consumes
/// exactly one 64-bit draw, so the generator's position depends only on how many tokens were sampled.
///
/// With a seed, the sequence of draws is the same on every platform; the picks are too, unless a platform's `expf`
/// differs in the last bit for a draw that falls exactly on a boundary between two tokens.
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
            // A temperature close to zero overflowed: the overflowing tokens share all the mass.
            var greedy = GreedySampler()
            return greedy.sample(&logits)
        }
        if !logits.isNarrowed {
            let values = UnsafeBufferPointer(logits.raw)
            return logits.scratch.withUnsafeMutableBufferPointer { w in
                let total = SamplingKernels.exponentials(values, minus: m, into: w.baseAddress!)
                let i = SamplingKernels.walk(UnsafeBufferPointer(w), to: u * total)
                return Int32(truncatingIfNeeded: i)
            }
        }
        let n = logits.candidateCount
        return logits.storage.withUnsafeBufferPointer { c in
            logits.scratch.withUnsafeMutableBufferPointer { w in
                var total = 0.0
                for i in 0..<n {
                    let e = expf(c[i].logit - m)
                    w[i] = e
                    total += Double(e)
                }
                let i = SamplingKernels.walk(UnsafeBufferPointer(rebasing: w[..<n]), to: u * total)
                return c[i].id
            }
        }
    }
}
