/// Keeps the k highest-scoring tokens (ties to the lower id), best first. From the full vocabulary this is a
/// single pass with a k-entry heap, not a sort.
public struct TopKProcessor: LogitProcessor {
    public let k: Int

    public init(k: Int) throws {
        try Self.validate(k)
        self.k = k
    }

    static func validate(_ k: Int) throws {
        try SamplingError.check(k >= 1, "top_k", Double(k), "must be >= 1")
    }

    public mutating func process(_ logits: inout Logits) {
        logits.keepBest(k)
    }
}
