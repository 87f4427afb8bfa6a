/// Picks the highest-scoring live token, the lowest id among equal scores. On unnarrowed logits this is one
/// argmax over the caller's buffer, with no copy.
public struct GreedySampler: LogitSampler {
    public init() {}

    public mutating func sample(_ logits: inout Logits) -> Int32 {
        if !logits.isNarrowed {
            return Int32(truncatingIfNeeded: SamplingKernels.argmax(UnsafeBufferPointer(logits.raw)))
        }
        return logits.withCandidates { c in
            if logits.isSorted { return c[0].id }
            var best = c[0]
            for t in c.dropFirst() where TokenLogit.ranksAbove(t, best) { best = t }
            return best.id
        }!
    }
}
