/// Turns the model's scores into the next token: processors in order, then a sampler.
///
/// The standard chain is penalties → constraints → top-k → top-p → min-p → temperature → random draw, llama.cpp's
/// default order, so that the same settings behave as they do in llama.cpp and Ollama: top-p and min-p see the
/// untempered distribution. With temperature 0 it is penalties → constraints → argmax. Steps that would change
/// nothing (top-p 1, min-p 0, temperature 1, penalty 1) are left out. Other orders: build the chain with
/// `init(vocabularySize:processors:sampler:)`.
///
/// The chain edits the caller's logits buffer in place: read anything else you need from it (log-probabilities)
/// before `next`.
public struct SamplingChain {
    public let vocabularySize: Int
    public private(set) var processors: [any LogitProcessor]
    public private(set) var sampler: any LogitSampler
    /// The working set, allocated once.
    private var logits: Logits

    /// A chain of any processors and sampler.
    public init(vocabularySize: Int, processors: [any LogitProcessor], sampler: any LogitSampler) {
        self.vocabularySize = vocabularySize
        self.processors = processors
        self.sampler = sampler
        logits = Logits(vocabularySize: vocabularySize)
    }

    /// The standard chain for `parameters`. `constraints` (e.g. a grammar masking tokens with -inf) run after the
    /// penalties, on the whole vocabulary, so that truncation only ever keeps allowed tokens.
    public init(parameters: SamplingParameters, vocabularySize: Int, constraints: [any LogitProcessor] = []) throws {
        try parameters.validate()
        var steps: [any LogitProcessor] = []
        let penalties = try RepetitionPenaltyProcessor(
            penalty: parameters.repetitionPenalty, window: parameters.repetitionWindow,
            frequencyPenalty: parameters.frequencyPenalty, presencePenalty: parameters.presencePenalty,
            vocabularySize: vocabularySize)
        if penalties.isActive { steps.append(penalties) }
        steps += constraints

        let sampler: any LogitSampler
        if parameters.temperature == 0 {
            sampler = GreedySampler()
        } else {
            if let k = parameters.topK { steps.append(try TopKProcessor(k: k)) }
            if let p = parameters.topP, p < 1 { steps.append(try TopPProcessor(p: p)) }
            if let p = parameters.minP, p > 0 { steps.append(try MinPProcessor(p: p)) }
            if parameters.temperature != 1 {
                steps.append(try TemperatureProcessor(temperature: parameters.temperature))
            }
            sampler = parameters.seed.map { RandomSampler(seed: $0) } ?? RandomSampler()
        }
        self.init(vocabularySize: vocabularySize, processors: steps, sampler: sampler)
    }

    /// Picks the next token from `logits` (vocabularySize), which it edits in place, and records the token in
    /// every processor's history: do not also `accept` it.
    public mutating func next(logits raw: UnsafeMutableBufferPointer<Float>) -> Int32 {
        logits.load(raw)
        for i in processors.indices { processors[i].process(&logits) }
        let token = sampler.sample(&logits)
        logits.unload()
        for i in processors.indices { processors[i].didSample(token: token) }
        return token
    }

    public mutating func next(logits raw: inout [Float]) -> Int32 {
        raw.withUnsafeMutableBufferPointer { next(logits: $0) }
    }

    /// Feeds a prompt or context token into the penalty windows (without advancing constraints).
    public mutating func accept(token: Int32) {
        for i in processors.indices { processors[i].didObservePrompt(token: token) }
    }

    /// Forgets all history, for a new conversation. The random sampler's position is kept.
    public mutating func reset() {
        for i in processors.indices { processors[i].reset() }
    }
}
