/// Prefill and decode speed of a session, measured the way llama.cpp's benchmarks measure them: a prompt of
/// `promptTokens` tokens evaluated at once, then `generatedTokens` tokens evaluated one at a time (each chosen
/// greedily from the previous logits, as a real decode does). Medians over `rounds` after one warm-up round.
public struct Benchmark {
    public struct Result: Sendable {
        public var prefillTokensPerSecond: Double
        public var decodeTokensPerSecond: Double
        public var prefillRounds: [Double]
        public var decodeRounds: [Double]
    }

    public let session: Session
    public let prompt: [Int32]
    public let generatedTokens: Int
    public let rounds: Int

    public init(session: Session, prompt: [Int32], generatedTokens: Int, rounds: Int) {
        self.session = session
        self.prompt = prompt
        self.generatedTokens = generatedTokens
        self.rounds = max(1, rounds)
    }

    public func run() throws -> Result {
        let clock = ContinuousClock()
        var prefill: [Double] = []
        var decode: [Double] = []
        for round in 0...rounds {
            session.reset()
            let t0 = clock.now
            try session.evaluate(prompt)
            let t1 = clock.now
            for _ in 0..<generatedTokens {
                try session.evaluate(Int32(SamplingKernels.argmax(UnsafeBufferPointer(session.logits))))
            }
            let t2 = clock.now
            guard round > 0 else { continue }  // the first round warms caches and page tables
            prefill.append(Double(prompt.count) / (t1 - t0).seconds)
            decode.append(Double(generatedTokens) / (t2 - t1).seconds)
        }
        return Result(
            prefillTokensPerSecond: Self.median(prefill), decodeTokensPerSecond: Self.median(decode),
            prefillRounds: prefill, decodeRounds: decode)
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }
}
