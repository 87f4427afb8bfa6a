/// Penalizes the tokens among the last `window` tokens of the context, with llama.cpp's semantics: each distinct
/// token seen c times there has its score divided by `penalty` if positive, multiplied by it otherwise, and then
/// lowered by c * frequencyPenalty + presencePenalty.
///
/// The window is a ring of token ids, and a per-vocabulary count table keeps the number of times each is in it,
/// so a step costs O(window) whatever the vocabulary size.
public struct RepetitionPenaltyProcessor: LogitProcessor {
    public let penalty: Float
    public let window: Int
    public let frequencyPenalty: Float
    public let presencePenalty: Float
    public let vocabularySize: Int

    /// (window) The last tokens, oldest at `ringStart` once full.
    private var ring: [Int32]
    private var ringCount = 0
    private var ringStart = 0
    /// (vocabularySize) How many times each token is in the ring.
    private var counts: [Int32]

    public init(
        penalty: Float, window: Int = 64, frequencyPenalty: Float = 0, presencePenalty: Float = 0, vocabularySize: Int
    ) throws {
        try Self.validate(
            penalty: penalty, window: window, frequencyPenalty: frequencyPenalty, presencePenalty: presencePenalty)
        precondition(vocabularySize > 0, "vocabulary size \(vocabularySize)")
        self.penalty = penalty
        self.window = window
        self.frequencyPenalty = frequencyPenalty
        self.presencePenalty = presencePenalty
        self.vocabularySize = vocabularySize
        ring = Array(repeating: 0, count: window)
        counts = Array(repeating: 0, count: vocabularySize)
    }

    static func validate(penalty: Float, window: Int, frequencyPenalty: Float, presencePenalty: Float) throws {
        try SamplingError.check(
            penalty.isFinite && penalty > 0, "repeat_penalty", Double(penalty), "must be finite and > 0")
        try SamplingError.check(window >= 0, "repeat_last_n", Double(window), "must be >= 0")
        try SamplingError.check(
            frequencyPenalty.isFinite, "frequency_penalty", Double(frequencyPenalty), "must be finite")
        try SamplingError.check(presencePenalty.isFinite, "presence_penalty", Double(presencePenalty), "must be finite")
    }

    /// Whether the parameters change any score at all.
    public var isActive: Bool {
        window > 0 && (penalty != 1 || frequencyPenalty != 0 || presencePenalty != 0)
    }

    /// The tokens in the window, oldest first.
    public var history: [Int32] {
        (0..<ringCount).map { ring[(ringStart + $0) % window] }
    }

    public mutating func process(_ logits: inout Logits) {
        guard isActive && ringCount > 0 else { return }
        let (penalty, frequencyPenalty, presencePenalty) = (penalty, frequencyPenalty, presencePenalty)
        let n = ringCount
        ring.withUnsafeBufferPointer { ring in
            counts.withUnsafeMutableBufferPointer { counts in
                // A token may be in the ring several times but is penalized once: its count is negated once used
                // and restored afterwards.
                for i in 0..<n {
                    let token = ring[i]
                    let c = counts[Int(token)]
                    guard c > 0 else { continue }
                    counts[Int(token)] = -c
                    logits.update(token: token) { logit in
                        logit = logit > 0 ? logit / penalty : logit * penalty
                        logit -= Float(c) * frequencyPenalty + presencePenalty
                    }
                }
                for i in 0..<n {
                    let token = Int(ring[i])
                    if counts[token] < 0 { counts[token] = -counts[token] }
                }
            }
        }
    }

    public mutating func didSample(token: Int32) {
        remember(token)
    }

    public mutating func didObservePrompt(token: Int32) {
        remember(token)
    }

    public mutating func reset() {
        for i in 0..<ringCount { counts[Int(ring[(ringStart + i) % window])] = 0 }
        ringCount = 0
        ringStart = 0
    }

    private mutating func remember(_ token: Int32) {
        precondition(token >= 0 && Int(token) < vocabularySize, "token \(token) outside the vocabulary")
        guard window > 0 else { return }
        if ringCount < window {
            ring[(ringStart + ringCount) % window] = token
            ringCount += 1
        } else {
            counts[Int(ring[ringStart])] -= 1
            ring[ringStart] = token
            ringStart = (ringStart + 1) % window
        }
        counts[Int(token)] += 1
    }
}
