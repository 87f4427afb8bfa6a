/// Constrained decoding as one step of the chain: only the tokens the grammar accepts at its current node stay
/// live. The processor follows the tokens the chain picks (`didSample`) and those the caller appends without
/// sampling (`advance(byForced:)`); prompt tokens do not move it.
public struct GrammarProcessor: LogitProcessor {
    public let sets: GrammarTokenSets
    public let tokenizer: Tokenizer
    public private(set) var node: Grammar.Node

    public init(sets: GrammarTokenSets, tokenizer: Tokenizer) {
        self.sets = sets
        self.tokenizer = tokenizer
        node = sets.grammar.start
    }

    public var grammar: Grammar { sets.grammar }
    /// The document is complete and nothing may follow it.
    public var isComplete: Bool { grammar.isFinal(node) }

    public mutating func process(_ logits: inout Logits) {
        precondition(node >= 0, "the grammar was left by a token it refused")
        logits.keepOnly(sets.allowed(at: node))
    }

    public mutating func didSample(token: Int32) {
        node = sets.advance(node, by: token, tokenizer: tokenizer)
    }

    /// Moves over bytes appended without sampling (forced by the grammar).
    public mutating func advance(byForced bytes: [UInt8]) {
        node = grammar.next(node, bytes)
    }

    public mutating func reset() { node = sets.grammar.start }
}
