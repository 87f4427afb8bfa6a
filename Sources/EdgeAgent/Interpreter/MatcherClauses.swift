/// "Open the blinds and turn on the kitchen light": two commands in one sentence, split where "and" (or "then") is
/// followed by a command verb, so each clause gets its own verb and targets.
enum MatcherClauses {
    /// Words that start a new clause after "and".
    static let clauseVerbs: Set<String> = [
        "turn", "switch", "set", "dim", "brighten", "open", "close", "shut", "lock", "unlock", "raise", "lower",
        "start", "stop", "put", "make", "activate", "deactivate", "power", "increase", "decrease", "reduce", "bring",
        "change", "adjust", "lift", "boost", "darken",
    ]
    static let joiners: Set<String> = ["and", "then", "&"]

    /// The clauses of a command; one when it has a single verb.
    static func split(_ text: NormalizedText) -> [NormalizedText] {
        let tokens = text.tokens
        var starts = [0]
        var i = 0
        while i < tokens.count {
            if joiners.contains(tokens[i].folded) {
                var next = i + 1
                while next < tokens.count && (tokens[next].isFiller || joiners.contains(tokens[next].folded)) {
                    next += 1
                }
                if next < tokens.count, next > i + 1 || tokens[next].kind == .word,
                    clauseVerbs.contains(tokens[next].folded), next > (starts.last ?? 0) + 1
                {
                    starts.append(next)
                    i = next
                    continue
                }
            }
            i += 1
        }
        guard starts.count > 1 else { return [text] }
        var clauses: [NormalizedText] = []
        for (n, start) in starts.enumerated() {
            var end = n + 1 < starts.count ? starts[n + 1] : tokens.count
            // Drop the joiners that end a clause ("… kitchen light and").
            while end > start && (joiners.contains(tokens[end - 1].folded) || tokens[end - 1].isFiller) { end -= 1 }
            let quantities = text.quantities.compactMap { q -> NormalizedText.Quantity? in
                guard q.tokens.lowerBound >= start, q.tokens.upperBound <= end else { return nil }
                var moved = q
                moved.tokens = (q.tokens.lowerBound - start)..<(q.tokens.upperBound - start)
                return moved
            }
            clauses.append(
                NormalizedText(
                    original: text.original, tokens: Array(tokens[start..<end]), quantities: quantities,
                    isQuestion: text.isQuestion))
        }
        return clauses
    }
}
