/// Nucleus sampling: keeps the smallest set of most likely tokens whose probabilities sum to at least p.
///
/// On candidates already narrowed (by top-k) the probabilities are renormalized over them. On the full vocabulary
/// the normalizer costs one pass of exponentials, but the nucleus is usually a few dozen tokens, so instead of
/// sorting 49k scores it selects the best 64 and, only if their mass falls short of p, the best 512, 4,096 and so
/// on up to the whole vocabulary. The result is exact either way.
public struct TopPProcessor: LogitProcessor {
    public let p: Float

    /// The first number of best tokens tried on an unnarrowed vocabulary.
    static let firstBound = 64

    public init(p: Float) throws {
        try Self.validate(p)
        self.p = p
    }

    static func validate(_ p: Float) throws {
        try SamplingError.check(p > 0 && p <= 1, "top_p", Double(p), "must be in (0, 1]")
    }

    public mutating func process(_ logits: inout Logits) {
        guard p < 1 else { return }
        if logits.isNarrowed {
            keepNucleusOfCandidates(&logits)
        } else {
            keepNucleusOfVocabulary(&logits)
        }
    }

    private func keepNucleusOfCandidates(_ logits: inout Logits) {
        logits.sortCandidates()
        let p = Double(p)
        let kept = logits.withCandidatesAndScratch { c, w -> Int in
            let m = c[0].logit
            // All masked (the sampler will say so) or overflowed (the sampler picks the first infinity).
            guard m.isFinite else { return c.count }
            var total = 0.0
            for i in c.indices {
                w[i] = SamplingKernels.exponential(c[i].logit - m)
                total += Double(w[i])
            }
            var mass = 0.0
            for i in c.indices {
                mass += Double(w[i])
                if mass >= p * total { return i + 1 }
            }
            return c.count
        }
        logits.truncateCandidates(to: kept)
    }

    private func keepNucleusOfVocabulary(_ logits: inout Logits) {
        let m = logits.maxLogit()
        guard m.isFinite else { return }
        let values = UnsafeBufferPointer(logits.raw)
        // scratch[id] = exp(score[id] - m), reused below for the mass of the selected tokens.
        let total = logits.scratch.withUnsafeMutableBufferPointer { w in
            SamplingKernels.exponentials(values, minus: m, into: w.baseAddress!)
            return logits.blockSums.withUnsafeMutableBufferPointer { b in
                SamplingKernels.sumBlocks(UnsafeBufferPointer(w), into: b.baseAddress!)
            }
        }
        let target = Double(p) * total
        var bound = Self.firstBound
        while true {
            let k = min(bound, logits.vocabularySize)
            logits.keepBest(k)
            let kept = logits.withCandidates { c in
                logits.scratch.withUnsafeBufferPointer { w -> Int? in
                    var mass = 0.0
                    for i in c.indices {
                        mass += Double(w[Int(c[i].id)])
                        if mass >= target { return i + 1 }
                    }
                    return nil
                }
            }!
            if let kept {
                logits.truncateCandidates(to: kept)
                return
            }
            // The whole vocabulary falls short of p only through rounding: keep it all.
            if k == logits.vocabularySize { return }
            bound *= 8
            logits.widen()
        }
    }
}
