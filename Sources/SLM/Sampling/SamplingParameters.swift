/// What a user chooses about decoding. The defaults are llama.cpp's; `greedy` is temperature 0.
public struct SamplingParameters: Equatable, Sendable {
    /// 0 picks the most likely token every time (and ignores top-k, top-p, min-p and the seed).
    public var temperature: Float
    /// nil: no top-k.
    public var topK: Int?
    /// nil or 1: no top-p.
    public var topP: Float?
    /// nil or 0: no min-p.
    public var minP: Float?
    /// 1: no repetition penalty.
    public var repetitionPenalty: Float
    /// How many of the last context tokens the penalties look at; 0 turns them off.
    public var repetitionWindow: Int
    public var frequencyPenalty: Float
    public var presencePenalty: Float
    /// nil: seeded from the system, so runs differ.
    public var seed: UInt64?

    public init(
        temperature: Float = 0.8, topK: Int? = 40, topP: Float? = 0.95, minP: Float? = 0.05,
        repetitionPenalty: Float = 1, repetitionWindow: Int = 64, frequencyPenalty: Float = 0,
        presencePenalty: Float = 0, seed: UInt64? = nil
    ) {
        self.temperature = temperature
        self.topK = topK
        self.topP = topP
        self.minP = minP
        self.repetitionPenalty = repetitionPenalty
        self.repetitionWindow = repetitionWindow
        self.frequencyPenalty = frequencyPenalty
        self.presencePenalty = presencePenalty
        self.seed = seed
    }

    public static let greedy = SamplingParameters(temperature: 0, topK: nil, topP: nil, minP: nil)

    /// Throws `SamplingError.invalidParameter` for the first parameter out of range, with the same checks as the
    /// processors' initializers.
    public func validate() throws {
        try SamplingError.check(
            temperature.isFinite && temperature >= 0, "temperature", Double(temperature), "must be finite and >= 0")
        if let topK { try TopKProcessor.validate(topK) }
        if let topP { try TopPProcessor.validate(topP) }
        if let minP { try MinPProcessor.validate(minP) }
        try RepetitionPenaltyProcessor.validate(
            penalty: repetitionPenalty, window: repetitionWindow, frequencyPenalty: frequencyPenalty,
            presencePenalty: presencePenalty)
    }
}
