/// "Open the blinds and turn on the kitchen light": two commands in one sentence, split where "and" (or "then") is
/// followed by a command verb, and where punctuation ends a part ("when you get a chance, please lock the front
/// door"; "nightlight on, kids light off"), so each clause gets its own verb and targets.
enum MatcherClauses {
    /// Words that start a new clause after "and".
    static let clauseVerbs: Set<String> = [
        "turn", "switch", "set", "dim", "brighten", "open", "close", "shut", "lock", "unlock", "raise", "lower",
        "start", "stop", "put", "make", "activate", "deactivate", "power", "increase", "decrease", "reduce", "bring",
        "change", "adjust", "lift", "boost", "darken",
    ]
    static let joiners: Set<String> = ["and", "then", "&", "und"]
    /// Marks that end a part of a sentence when they stand between two words.
    static let breaks: Set<Character> = [",", ";", ":", ".", "!", "?"]

    /// The clauses of a command; one when it has a single verb and no punctuation between words.
    static func split(_ text: NormalizedText) -> [NormalizedText] {
        let tokens = text.tokens
        var starts = [0]
        var i = 0
        while i < tokens.count {
            if i > (starts.last ?? 0), punctuated(text, before: i) || purpose(tokens, at: i) {
                // ", but please open …": the part starts after "but".
                starts.append(tokens[i].folded == "but" && i + 1 < tokens.count ? i + 1 : i)
            } else if opensRunOnClause(tokens, at: i, after: starts.last ?? 0) {
                // "close the garage door turn off the garage light": a second command said without "and".
                starts.append(i)
            } else if tokens[i].folded == "but", i > 0, i + 1 < tokens.count {
                // "I know it's late but could you …": what comes before "but" is a remark, or a clause of its own.
                starts.append(i + 1)
            } else if joiners.contains(tokens[i].folded) {
                var next = i + 1
                while next < tokens.count && (tokens[next].isFiller || joiners.contains(tokens[next].folded)) {
                    next += 1
                }
                if next < tokens.count, next > i + 1 || tokens[next].kind == .word,
                    clauseVerbs.contains(tokens[next].folded), next > (starts.last ?? 0) + 1,
                    !punctuated(text, before: next)
                {
                    starts.append(next)
                    i = next
                    continue
                }
            }
            i += 1
        }
        return cut(text, at: starts)
    }

    /// The text in parts at every "and" ("bedroom blinds up and bedroom heating to 20"), for when the sentence as
    /// a whole is not one command but each part may be one of its own.
    static func splitAtJoiners(_ text: NormalizedText) -> [NormalizedText] {
        let starts = [0] + text.tokens.indices.filter { i in
            guard i > 0 else { return false }
            return punctuated(text, before: i)
                || (joiners.contains(text.tokens[i - 1].folded) && !joiners.contains(text.tokens[i].folded))
        }
        return cut(text, at: starts)
    }

    /// Words after a command verb that show it starts an imperative ("lock the …", "turn off …"), where the
    /// same word could otherwise be a noun ("the front door lock", "the light switch").
    static let imperativeNext: Set<String> = ["the", "my", "our", "all", "every", "everything", "on", "off", "up", "down"]
    /// Words before a verb that make it part of the clause so far ("make sure to turn", "help me switch").
    static let verbComplements: Set<String> = [
        "to", "you", "me", "i", "we", "and", "then", "could", "can", "would", "will", "please", "also", "just", "pls",
    ]

    /// A command verb opening an imperative in the middle of a clause that already has one, with no "and"
    /// between them: voice input often leaves the joins out.
    static func opensRunOnClause(_ tokens: [NormalizedText.Token], at i: Int, after start: Int) -> Bool {
        guard i > start + 1, i + 1 < tokens.count, tokens[i].kind == .word, clauseVerbs.contains(tokens[i].folded),
            imperativeNext.contains(tokens[i + 1].folded), !verbComplements.contains(tokens[i - 1].folded),
            !tokens[i - 1].isFiller
        else { return false }
        return tokens[start..<(i - 1)].contains { $0.kind == .word && clauseVerbs.contains($0.folded) }
    }

    /// "… so I can see my screen": a clause giving the reason starts at "so" before its subject.
    /// "the baby's finally asleep so could you …": after "so", a request starts a clause of its own.
    static func purpose(_ tokens: [NormalizedText.Token], at i: Int) -> Bool {
        tokens[i].folded == "so" && i + 1 < tokens.count
            && ["i", "we", "that", "they", "could", "can", "would", "will", "please"].contains(tokens[i + 1].folded)
    }

    /// Whether punctuation stands between token `i - 1` and token `i` in what the user typed.
    static func punctuated(_ text: NormalizedText, before i: Int) -> Bool {
        guard i > 0, i < text.tokens.count else { return false }
        let end = text.tokens[i - 1].range.upperBound
        let start = text.tokens[i].range.lowerBound
        guard end < start else { return false }
        // "turn the, the kitchen light on": a word said twice is a stumble, not a break.
        if text.tokens[i].folded == text.tokens[i - 1].folded { return false }
        return text.original[end..<start].contains(where: breaks.contains)
    }

    static func cut(_ text: NormalizedText, at starts: [Int]) -> [NormalizedText] {
        let tokens = text.tokens
        guard starts.count > 1 else { return [text] }
        var clauses: [NormalizedText] = []
        for (n, start) in starts.enumerated() {
            var end = n + 1 < starts.count ? starts[n + 1] : tokens.count
            // Drop the joiners that end a clause ("… kitchen light and", "… ceiling light but").
            while end > start
                && (joiners.contains(tokens[end - 1].folded) || tokens[end - 1].isFiller || tokens[end - 1].folded == "but")
            {
                end -= 1
            }
            guard end > start else { continue }
            let quantities = text.quantities.compactMap { q -> NormalizedText.Quantity? in
                guard q.tokens.lowerBound >= start, q.tokens.upperBound <= end else { return nil }
                var moved = q
                moved.tokens = (q.tokens.lowerBound - start)..<(q.tokens.upperBound - start)
                return moved
            }
            clauses.append(
                NormalizedText(
                    original: text.original, tokens: Array(tokens[start..<end]), quantities: quantities,
                    isQuestion: text.isQuestion && n == starts.count - 1))
        }
        return clauses
    }
}
