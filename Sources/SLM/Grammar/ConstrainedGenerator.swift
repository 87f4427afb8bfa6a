#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// What produces next-token scores: a `Session`, or in tests a stand-in with made-up scores.
public protocol TokenEvaluator: AnyObject {
    /// Evaluates `tokens` after those already held and leaves the last one's next-token scores in `logits`.
    func evaluate(_ tokens: [Int32]) throws
    /// The same, but only the scores of `candidates` need be computed; the others may be -infinity.
    func evaluate(_ tokens: [Int32], logitsOf candidates: [Int32]) throws
    /// (vocabularySize)
    var logits: UnsafeMutableBufferPointer<Float> { get }
}

extension TokenEvaluator {
    public func evaluate(_ tokens: [Int32], logitsOf candidates: [Int32]) throws { try evaluate(tokens) }
}

extension Session: TokenEvaluator {}

public struct TokenProbability: Equatable, Sendable {
    public var token: Int32
    /// Among the tokens the grammar allowed at that step.
    public var probability: Double
}

/// A step where the grammar left more than one token: what was picked and how sure the model was.
public struct ConstrainedChoice: Equatable, Sendable {
    /// Bytes of output before the picked token.
    public var offset: Int
    public var token: Int32
    /// The probability, among the allowed tokens, of those that agree with the finished text (the picked token
    /// and any other spelling of the same bytes among the `alternatives`).
    public var probability: Double
    public var allowedCount: Int
    /// The most likely allowed tokens, best first (the picked one among them when it ranks there).
    public var alternatives: [TokenProbability]
}

public struct ConstrainedResult: Sendable {
    /// The generated document (complete when `isComplete`).
    public var text: String
    public var isComplete: Bool
    public var choices: [ConstrainedChoice]
    public var promptTokens: Int
    /// Tokens picked by the sampler and tokens appended because the grammar forced them.
    public var sampledTokens: Int
    public var forcedTokens: Int
    /// Forward passes after the prompt's (each evaluates a sampled token with the forced ones after it).
    public var forwardPasses: Int
    /// Time spent masking and scoring the allowed tokens, over all steps.
    public var maskSeconds: Double
    public var seconds: Double

    /// The least probable pick: 1 when the grammar decided everything.
    public var minimumProbability: Double { choices.map(\.probability).min() ?? 1 }
}

/// Generation constrained by a grammar: each step keeps only the tokens the grammar accepts, picks one, and appends
/// whatever the grammar then forces (key names, punctuation, the rest of a value whose prefix is unique) without
/// sampling, evaluating the picked and forced tokens in one batch. The prompt and the forced opening are one
/// batch too.
public final class ConstrainedGenerator {
    /// Up to this many allowed tokens, a step computes only their scores.
    static let fewCandidates = 512

    public let evaluator: any TokenEvaluator
    public let tokenizer: Tokenizer
    public let sets: GrammarTokenSets
    /// The working set, allocated once.
    private var logits: Logits

    public init(evaluator: any TokenEvaluator, tokenizer: Tokenizer, sets: GrammarTokenSets) {
        self.evaluator = evaluator
        self.tokenizer = tokenizer
        self.sets = sets
        logits = Logits(vocabularySize: tokenizer.vocabularySize)
    }

    /// Generates one document of the grammar after `prompt` (evaluated after what the evaluator already holds),
    /// with at most `maxSteps` sampled tokens. The default sampler is greedy.
    public func generate(
        prompt: [Int32], maxSteps: Int = 64, sampler: any LogitSampler = GreedySampler(), alternatives: Int = 8
    ) throws -> ConstrainedResult {
        let clock = ContinuousClock()
        let start = clock.now
        var sampler = sampler
        var grammar = GrammarProcessor(sets: sets, tokenizer: tokenizer)
        var result = ConstrainedResult(
            text: "", isComplete: false, choices: [], promptTokens: prompt.count, sampledTokens: 0, forcedTokens: 0,
            forwardPasses: 0, maskSeconds: 0, seconds: 0)
        var output: [UInt8] = []
        var pending = prompt

        // The forced text's last token is left to the model when a token could run on past it into the next
        // choice ('"' then ',' is one token '",' in the model's own spelling of JSON): forcing '"' alone would
        // spell the answer unlike anything the model was trained on, and mislead it.
        func appendForced() {
            let forced = grammar.grammar.forcedBytes(from: grammar.node)
            guard !forced.isEmpty else { return }
            let tokens = tokenizer.encode(String(decoding: forced, as: UTF8.self), parseSpecial: false, addBOS: false)
            var remaining = forced.count
            for (i, token) in tokens.enumerated() {
                if i == tokens.count - 1 {
                    let runsOn = sets.allowed(at: grammar.node).contains {
                        tokenizer.pieceSlice($0, renderSpecial: false).count > remaining
                    }
                    if runsOn { break }
                }
                let bytes = tokenizer.piece(token)
                grammar.advance(byForced: bytes)
                output += bytes
                pending.append(token)
                remaining -= bytes.count
                result.forcedTokens += 1
            }
        }

        appendForced()
        var steps = 0
        while !grammar.isComplete && steps < maxSteps {
            if !pending.isEmpty {
                // Only the allowed tokens' scores count, and computing the others is most of a step's work with a
                // large vocabulary (Gemma 3's output layer is 262,144 rows). Those rows are computed one by one on
                // this thread, which beats the pool's whole layer only for a few of them.
                let allowed = sets.allowed(at: grammar.node)
                if !allowed.isEmpty && allowed.count <= Self.fewCandidates {
                    try evaluator.evaluate(pending, logitsOf: allowed)
                } else {
                    try evaluator.evaluate(pending)
                }
                if result.sampledTokens > 0 { result.forwardPasses += 1 }
                pending.removeAll(keepingCapacity: true)
            }
            let maskStart = clock.now
            logits.load(evaluator.logits)
            grammar.process(&logits)
            let (allowedCount, best, maxLogit, sum) = Self.summary(of: logits, count: alternatives)
            result.maskSeconds += (clock.now - maskStart).seconds
            let token = sampler.sample(&logits)
            let picked = logits.logit(of: token) ?? -Float.infinity
            logits.unload()
            if tokenizer.isEndOfGeneration(token) { break }
            if allowedCount > 1 {
                result.choices.append(
                    ConstrainedChoice(
                        offset: output.count, token: token,
                        probability: exp(Double(picked) - Double(maxLogit)) / sum, allowedCount: allowedCount,
                        alternatives: best.map {
                            TokenProbability(token: $0.id, probability: exp(Double($0.logit) - Double(maxLogit)) / sum)
                        }))
            }
            grammar.didSample(token: token)
            precondition(grammar.node >= 0, "the sampler picked token \(token), which the grammar refuses")
            output += tokenizer.piece(token)
            pending.append(token)
            result.sampledTokens += 1
            steps += 1
            appendForced()
        }
        result.isComplete = grammar.isComplete
        result.text = String(decoding: output, as: UTF8.self)
        // A choice's probability counts every allowed token that agrees with the text finally written ('"' and
        // '",' both agree with '","devices"'): the model's belief in the answer, not in one spelling of it.
        for i in result.choices.indices {
            let rest = output[result.choices[i].offset...]
            var agreeing = 0.0
            for alternative in result.choices[i].alternatives {
                let piece = tokenizer.pieceSlice(alternative.token, renderSpecial: false)
                if !piece.isEmpty && rest.starts(with: piece) { agreeing += alternative.probability }
            }
            result.choices[i].probability = min(1, max(result.choices[i].probability, agreeing))
        }
        result.seconds = (clock.now - start).seconds
        return result
    }

    /// The number of live tokens, the `count` best, the highest score and the softmax denominator.
    static func summary(of logits: Logits, count: Int) -> (Int, [TokenLogit], Float, Double) {
        logits.withCandidates { c -> (Int, [TokenLogit], Float, Double) in
            var maxLogit = -Float.infinity
            for t in c where t.logit > maxLogit { maxLogit = t.logit }
            var sum = 0.0
            var best: [TokenLogit] = []
            for t in c {
                sum += exp(Double(t.logit) - Double(maxLogit))
                if best.count < count || TokenLogit.ranksAbove(t, best[best.count - 1]) {
                    best.append(t)
                    best.sort(by: TokenLogit.ranksAbove)
                    if best.count > count { best.removeLast() }
                }
            }
            return (c.count, best, maxLogit, sum)
        } ?? (0, [], 0, 1)
    }
}
