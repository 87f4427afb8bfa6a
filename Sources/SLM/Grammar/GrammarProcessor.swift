extension Logits {
    /// Narrows to `tokens` (sorted by id), keeping their scores: the mask of a constraint, in time proportional
    /// to the allowed tokens rather than the vocabulary. Already narrowed, it keeps the candidates that are in
    /// `tokens`.
    public mutating func keepOnly(_ tokens: [Int32]) {
        if isNarrowed {
            let n = candidateCount
            candidateCount = storage.withUnsafeMutableBufferPointer { c -> Int in
                var kept = 0
                for i in 0..<n where Self.sortedContains(tokens, c[i].id) {
                    c[kept] = c[i]
                    kept += 1
                }
                return kept
            }
            return
        }
        let values = raw
        candidateCount = storage.withUnsafeMutableBufferPointer { c -> Int in
            for (i, id) in tokens.enumerated() { c[i] = TokenLogit(id: id, logit: values[Int(id)]) }
            return tokens.count
        }
        isNarrowed = true
        isSorted = false
    }

    static func sortedContains(_ tokens: [Int32], _ id: Int32) -> Bool {
        var lo = 0
        var hi = tokens.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if tokens[mid] < id { lo = mid + 1 } else { hi = mid }
        }
        return lo < tokens.count && tokens[lo] == id
    }
}

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
