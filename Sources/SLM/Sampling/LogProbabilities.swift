#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A token and its log-probability under the softmax of the raw scores.
public struct TokenLogprob: Equatable, Sendable {
    public var id: Int32
    public var logprob: Double

    public init(id: Int32, logprob: Double) {
        self.id = id
        self.logprob = logprob
    }
}

/// The `count` most likely tokens of `logits` with their log-softmax, most likely first (ties to the lower id).
/// Computed in double precision around the maximum, log p(i) = x(i) - max - log Σ exp(x(j) - max), so nothing
/// overflows and the values can be compared with another engine's to 1e-6. Allocates its result: a diagnostic, not
/// a per-token step.
public func logSoftmaxTop(_ logits: UnsafeBufferPointer<Float>, count: Int) -> [TokenLogprob] {
    let n = min(count, logits.count)
    guard n > 0 else { return [] }
    let m = Double(SamplingKernels.maximum(logits))
    guard m.isFinite else { return [] }
    var sum = 0.0
    for x in logits { sum += exp(Double(x) - m) }
    let logNormalizer = m + log(sum)
    var best = [TokenLogit](repeating: TokenLogit(id: 0, logit: 0), count: n)
    best.withUnsafeMutableBufferPointer { SamplingKernels.selectBest(n, of: logits, into: $0) }
    return best.map { TokenLogprob(id: $0.id, logprob: Double($0.logit) - logNormalizer) }
}

public func logSoftmaxTop(_ logits: [Float], count: Int) -> [TokenLogprob] {
    logits.withUnsafeBufferPointer { logSoftmaxTop($0, count: count) }
}
