/// Step 1 of command interpretation: free-form text to a canonical form the catalog matcher and the model read.
///
///     Normalizer(vocabulary: ["kitchen"]).normalize("Turn of the kitchn lights!").text
///     // "turn off the kitchen lights"
///
/// A chain of small passes over one token list, each keeping every token's range in the original text: scan,
/// expand contractions, mark fillers, correct typos, read number words, attach units.
public struct Normalizer: Sendable {
    public static let defaultWakeWords: Set<String> = NormalizerLexicon.defaultWakeWords

    let spelling: NormalizerSpelling
    let wakeWords: Set<String>

    /// - Parameters:
    ///   - vocabulary: the catalog's device and area names, aliases and verbs (phrases are split into words).
    ///     Typos are corrected towards these and the built-in command words; these are never corrected themselves.
    ///   - wakeWords: assistant names that, after "hey"/"ok", are marked as filler ("hey jarvis").
    public init(vocabulary: Set<String> = [], wakeWords: Set<String> = Normalizer.defaultWakeWords) {
        self.spelling = NormalizerSpelling(vocabulary: vocabulary)
        self.wakeWords = Set(wakeWords.map { $0.lowercased() })
    }

    public func normalize(_ text: String) -> NormalizedText {
        let scanned = NormalizerScanner(text).scan()
        var tokens = expandContractions(scanned.tokens)
        markFillers(&tokens)
        correctSpelling(&tokens)
        tokens = NormalizerQuantities.readNumberWords(tokens)
        let (final, quantities) = NormalizerQuantities.attachUnits(tokens)
        return NormalizedText(
            original: text,
            tokens: final.map {
                NormalizedText.Token(
                    text: $0.text, range: $0.range, kind: $0.kind, isFiller: $0.isFiller,
                    correctedFrom: $0.correctedFrom)
            },
            quantities: quantities,
            isQuestion: scanned.isQuestion)
    }

    // MARK: Passes

    /// "it's" → "it" "is" (both pointing at "it's"); "twenty-five" → "twenty" "five" for the number reader.
    func expandContractions(_ tokens: [NormalizerToken]) -> [NormalizerToken] {
        var out: [NormalizerToken] = []
        out.reserveCapacity(tokens.count + 4)
        for token in tokens {
            guard token.kind == .word,
                let words = NormalizerLexicon.expandContraction(token.text) ?? NumberWords.splitHyphenated(token.text)
            else {
                out.append(token)
                continue
            }
            for word in words {
                var part = token
                part.text = word
                out.append(part)
            }
        }
        return out
    }

    /// Politeness words, hedges ("could you") and wake phrases ("hey jarvis", "ok google") stay in the text but are
    /// marked so the matcher can skip them.
    func markFillers(_ tokens: inout [NormalizerToken]) {
        var i = 0
        while i < tokens.count {
            if let phrase = NormalizerLexicon.fillerPhrases.first(where: { matches($0, tokens, at: i) }) {
                for j in i..<i + phrase.count { tokens[j].isFiller = true }
                i += phrase.count
                continue
            }
            let word = tokens[i].text
            if tokens[i].kind == .word, NormalizerLexicon.fillerWords.contains(word) {
                tokens[i].isFiller = true
                // The assistant's name after "hey"/"ok": a configured wake word, or at the start an unknown word.
                if NormalizerLexicon.wakeOpeners.contains(word), i + 1 < tokens.count, tokens[i + 1].kind == .word {
                    let next = tokens[i + 1].text
                    if wakeWords.contains(next)
                        || (i == 0 && !spelling.isKnown(next) && spelling.correction(of: next) == nil)
                    {
                        tokens[i + 1].isFiller = true
                        i += 1
                    }
                }
            } else if i == 0, tokens[i].kind == .word, wakeWords.contains(word) {
                tokens[i].isFiller = true
            }
            i += 1
        }
    }

    private func matches(_ phrase: [String], _ tokens: [NormalizerToken], at start: Int) -> Bool {
        guard start + phrase.count <= tokens.count else { return false }
        for (offset, word) in phrase.enumerated() where tokens[start + offset].text != word { return false }
        return true
    }

    /// Typos of the vocabulary, and "turn of" → "turn off", where "of" is too short for the edit distance.
    func correctSpelling(_ tokens: inout [NormalizerToken]) {
        var sawSwitchVerb = false
        for i in tokens.indices where tokens[i].kind == .word && !tokens[i].isFiller {
            let word = tokens[i].text
            if let corrected = spelling.correction(of: word) {
                tokens[i].text = corrected
                tokens[i].correctedFrom = word
            } else if word == "of", sawSwitchVerb, isSwitchOff(tokens, at: i) {
                tokens[i].text = "off"
                tokens[i].correctedFrom = word
            }
            if Self.switchVerbs.contains(tokens[i].text) { sawSwitchVerb = true }
        }
    }

    static let switchVerbs: Set<String> = ["turn", "switch", "shut", "power"]

    /// "of" right after the verb ("turn of the lights") or ending the command ("turn the lights of").
    private func isSwitchOff(_ tokens: [NormalizerToken], at i: Int) -> Bool {
        if i > 0, Self.switchVerbs.contains(tokens[i - 1].text) { return true }
        return tokens[(i + 1)...].allSatisfy(\.isFiller)
    }
}

/// A token while the passes work on it; becomes a `NormalizedText.Token` at the end.
struct NormalizerToken {
    var text: String
    var range: Range<String.Index>
    var kind: NormalizedText.Token.Kind
    var value: Double? = nil
    var sign: NormalizedText.Quantity.Sign = .none
    var isFiller = false
    var correctedFrom: String? = nil
    /// A fraction word ("half") read as a percentage.
    var impliesPercent = false
}
