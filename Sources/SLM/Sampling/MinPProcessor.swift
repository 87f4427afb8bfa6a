#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Keeps the tokens whose probability is at least p times the most likely token's. The test is done on scores,
/// score >= max + log(p), so it needs neither exponentials nor a sort.
public struct MinPProcessor: LogitProcessor {
    public let p: Float

    public init(p: Float) throws {
        try Self.validate(p)
        self.p = p
    }

    static func validate(_ p: Float) throws {
        try SamplingError.check(p >= 0 && p < 1, "min_p", Double(p), "must be in [0, 1)")
    }

    public mutating func process(_ logits: inout Logits) {
        guard p > 0 else { return }
        logits.keep(atLeast: logits.maxLogit() + logf(p))
    }
}
