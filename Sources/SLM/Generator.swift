/// Why a generation ended.
public enum StopReason: String, Sendable, Codable {
    case endOfGeneration = "end_of_generation"
    case maxTokens = "max_tokens"
    case contextFull = "context_full"
    case stoppedByCaller = "stopped"
}

/// What a generation produced, and how fast.
public struct GenerationResult: Sendable {
    public var text: String
    public var tokens: [Int32]
    public var promptTokenCount: Int
    public var stopReason: StopReason
    public var prefillSeconds: Double
    public var decodeSeconds: Double

    public var prefillTokensPerSecond: Double { prefillSeconds > 0 ? Double(promptTokenCount) / prefillSeconds : 0 }
    /// Decode speed over the tokens after the first (whose logits the prefill produced).
    public var decodeTokensPerSecond: Double {
        decodeSeconds > 0 && tokens.count > 1 ? Double(tokens.count - 1) / decodeSeconds : 0
    }
}

/// The generation loop: prefill the prompt, then sample, stream and evaluate one token at a time.
public struct Generator {
    public let session: Session
    public let tokenizer: Tokenizer

    public init(session: Session, tokenizer: Tokenizer) {
        self.session = session
        self.tokenizer = tokenizer
    }

    /// Generates up to `maxTokens` tokens after `prompt` (evaluated after what the session already holds).
    /// `onText` receives each complete piece of UTF-8 text as it is decoded; returning false stops generation.
    public func generate(
        prompt: [Int32], maxTokens: Int, sampling: SamplingParameters,
        onText: (String) -> Bool = { _ in true }
    ) throws -> GenerationResult {
        var chain = try SamplingChain(parameters: sampling, vocabularySize: session.model.config.vocabularySize)
        for token in prompt { chain.accept(token: token) }
        let clock = ContinuousClock()

        let prefillStart = clock.now
        try session.evaluate(prompt)
        let prefill = clock.now - prefillStart

        var decoder = TextDecoder(tokenizer: tokenizer)
        var text = ""
        var tokens: [Int32] = []
        var stop = StopReason.maxTokens
        let decodeStart = clock.now
        while tokens.count < maxTokens {
            let token = chain.next(logits: session.logits)
            if tokenizer.isEndOfGeneration(token) {
                stop = .endOfGeneration
                break
            }
            tokens.append(token)
            let piece = decoder.append(token)
            text += piece
            if !piece.isEmpty && !onText(piece) {
                stop = .stoppedByCaller
                break
            }
            guard tokens.count < maxTokens else { break }
            guard session.position < session.contextLength else {
                stop = .contextFull
                break
            }
            try session.evaluate(token)
        }
        let rest = decoder.flush()
        if !rest.isEmpty {
            text += rest
            _ = onText(rest)
        }
        let decode = clock.now - decodeStart
        return GenerationResult(
            text: text, tokens: tokens, promptTokenCount: prompt.count, stopReason: stop,
            prefillSeconds: prefill.seconds, decodeSeconds: decode.seconds)
    }
}

extension Duration {
    /// The duration in seconds, as a Double.
    public var seconds: Double {
        let (s, attoseconds) = components
        return Double(s) + Double(attoseconds) * 1e-18
    }
}
