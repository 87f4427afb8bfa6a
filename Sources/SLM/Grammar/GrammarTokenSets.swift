/// The vocabulary's token texts sorted bytewise, so that the tokens sharing a prefix form one contiguous run: the
/// sorted list is a token trie without the nodes. Built once per tokenizer.
public struct GrammarVocabulary: Sendable {
    /// (count) Token ids in bytewise order of their text.
    let ids: [Int32]
    /// (count + 1) Where each sorted token's bytes begin in `bytes`.
    let starts: [Int32]
    let bytes: [UInt8]
    /// Tokens that end a generation (EOS, `<|im_end|>`): allowed once the document is complete.
    public let endTokens: [Int32]

    /// Every token with text of its own (control and unused tokens have none and are never allowed).
    public init(tokenizer: Tokenizer) {
        var pieces: [(id: Int32, bytes: [UInt8])] = []
        var ends: [Int32] = []
        for id in 0..<Int32(tokenizer.vocabularySize) {
            if tokenizer.isEndOfGeneration(id) { ends.append(id) }
            switch tokenizer.tokenType(id) {
            case .normal, .userDefined, .byte: break
            default: continue
            }
            let piece = tokenizer.piece(id)
            if !piece.isEmpty { pieces.append((id, piece)) }
        }
        pieces.sort { a, b in a.bytes.lexicographicallyPrecedes(b.bytes) }
        var starts: [Int32] = [0]
        var bytes: [UInt8] = []
        for piece in pieces {
            bytes += piece.bytes
            starts.append(Int32(bytes.count))
        }
        ids = pieces.map(\.id)
        self.starts = starts
        self.bytes = bytes
        endTokens = ends
    }

    var count: Int { ids.count }

    @inline(__always) func length(_ i: Int) -> Int { Int(starts[i + 1] - starts[i]) }
    @inline(__always) func byte(_ i: Int, _ depth: Int) -> UInt8 { bytes[Int(starts[i]) + depth] }

    /// Within `range`, whose tokens all share `depth` leading bytes and are longer than `depth`, the run whose byte
    /// at `depth` is `value`.
    func run(in range: Range<Int>, depth: Int, byte value: UInt8) -> Range<Int> {
        var lo = range.lowerBound
        var hi = range.upperBound
        while lo < hi {
            let mid = (lo + hi) / 2
            if byte(mid, depth) < value { lo = mid + 1 } else { hi = mid }
        }
        let first = lo
        hi = range.upperBound
        while lo < hi {
            let mid = (lo + hi) / 2
            if byte(mid, depth) <= value { lo = mid + 1 } else { hi = mid }
        }
        return first..<lo
    }
}

/// For each grammar node, the tokens whose whole text the grammar accepts from there, found by walking the
/// automaton and the sorted vocabulary together and computed once per node (the automaton is deterministic, so
/// the set depends on the node alone). A decoding step then costs a lookup and a copy of the allowed scores.
public final class GrammarTokenSets {
    public let grammar: Grammar
    public let vocabulary: GrammarVocabulary
    /// (grammar.nodeCount) The allowed tokens of each node computed so far, sorted by id.
    private var sets: [[Int32]?]

    public init(grammar: Grammar, vocabulary: GrammarVocabulary) {
        self.grammar = grammar
        self.vocabulary = vocabulary
        sets = Array(repeating: nil, count: grammar.nodeCount)
    }

    /// The tokens allowed at `node`, sorted by id; end-of-generation tokens once the document is complete.
    public func allowed(at node: Grammar.Node) -> [Int32] {
        precondition(node >= 0 && Int(node) < sets.count, "grammar node \(node) does not exist")
        if let known = sets[Int(node)] { return known }
        var found: [Int32] = []
        collect(0..<vocabulary.count, depth: 0, node: node, into: &found)
        if grammar.isAccepting(node) { found += vocabulary.endTokens }
        found.sort()
        sets[Int(node)] = found
        return found
    }

    /// Computes every node's set now, so that no decoding step pays for a first visit.
    public func precomputeAll() {
        for node in 0..<Int32(sets.count) { _ = allowed(at: node) }
    }

    /// The node after the whole text of `token`, or `Grammar.dead`. End-of-generation tokens leave a complete
    /// document where it is.
    public func advance(_ node: Grammar.Node, by token: Int32, tokenizer: Tokenizer) -> Grammar.Node {
        if tokenizer.isEndOfGeneration(token) { return grammar.isAccepting(node) ? node : Grammar.dead }
        let piece = tokenizer.pieceSlice(token, renderSpecial: false)
        guard !piece.isEmpty else { return Grammar.dead }
        return grammar.next(node, piece)
    }

    /// `range`: sorted tokens sharing their first `depth` bytes, which took the automaton to `node`.
    private func collect(_ range: Range<Int>, depth: Int, node: Grammar.Node, into found: inout [Int32]) {
        var range = range
        // Tokens exactly `depth` long sort first in the run: they end here, at a live node.
        while !range.isEmpty && vocabulary.length(range.lowerBound) == depth {
            if depth > 0 { found.append(vocabulary.ids[range.lowerBound]) }
            range = range.dropFirst()
        }
        guard !range.isEmpty else { return }
        let edgeRange = Int(grammar.edgeStarts[Int(node)])..<Int(grammar.edgeStarts[Int(node) + 1])
        for e in edgeRange {
            let run = vocabulary.run(in: range, depth: depth, byte: grammar.edgeBytes[e])
            if !run.isEmpty { collect(run, depth: depth + 1, node: grammar.edgeTargets[e], into: &found) }
        }
    }
}
