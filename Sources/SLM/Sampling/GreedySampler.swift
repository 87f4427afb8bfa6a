/// Picks the highest-scoring live token, the lowest id among equal scores. On unnarrowed logits this is one
/// argmax over the caller's buffer, with no copy.
public struct GreedySampler: LogitSampler {
    public init() {}

    public mutating func sample(_ logits: inout Logits) -> Int32 {
        let best: TokenLogit
        if !logits.isNarrowed {
            let i = SamplingKernels.argmax(UnsafeBufferPointer(logits.raw))
            best = TokenLogit(id: Int32(truncatingIfNeeded: i), logit: logits.raw[i])
        } else {
            best = logits.withCandidates { c in
                if logits.isSorted { return c[0] }
                var best = c[0]
                for t in c.dropFirst() where TokenLogit.ranksAbove(t, best) { best = t }
                return best
            }!
        }
        precondition(best.logit > -.infinity, "every token was masked out")
        return best.id
    }
}
