/// Step 1 of command interpretation: free-form text to a canonical form the catalog matcher and the model read.
///
///     Normalizer(vocabulary: ["kitchen"]).normalize("Turn of the kitchn lights!").text
///     // "turn off the kitchen lights"
///
/// A chain of small passes over one token list, each keeping every token's range in the original text: scan,
/// expand contractions, fix well-known misspellings, mark fillers, split compounds, correct typos, join compounds,
/// read "of" as "off" where it must be, read number words, attach units.
public struct Normalizer: Sendable {
    public static let defaultWakeWords: Set<String> = NormalizerLexicon.defaultWakeWords

    let spelling: NormalizerSpelling
    let wakeWords: Set<String>

    /// - Parameters:
    ///   - vocabulary: the catalog's device and area names, aliases and verbs (phrases are split into words).
    ///     Typos are corrected towards these and the built-in command words; these are never corrected themselves.
    ///     Two of these run together are split ("livingroom"), and two words that make one of these are joined.
    ///   - wakeWords: assistant names that, after "hey"/"ok", are marked as filler ("hey jarvis").
    public init(vocabulary: Set<String> = [], wakeWords: Set<String> = Normalizer.defaultWakeWords) {
        self.spelling = NormalizerSpelling(vocabulary: vocabulary)
        self.wakeWords = Set(wakeWords.map { $0.lowercased() })
    }

    public func normalize(_ text: String) -> NormalizedText {
        let scanned = NormalizerScanner(text).scan()
        var tokens = expandContractions(scanned.tokens)
        correctCommonMisspellings(&tokens)
        markFillers(&tokens, in: text)
        tokens = splitCompounds(tokens)
        correctSpelling(&tokens)
        tokens = joinCompounds(tokens)
        correctOf(&tokens)
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
        Self.split(tokens) { token in
            guard token.kind == .word else { return nil }
            return NormalizerLexicon.expandContraction(token.text) ?? NumberWords.splitHyphenated(token.text)
        }
    }

    /// Each token that `parts` splits becomes one token per part, all pointing at what the user typed.
    static func split(_ tokens: [NormalizerToken], _ parts: (NormalizerToken) -> [String]?) -> [NormalizerToken] {
        var out: [NormalizerToken] = []
        out.reserveCapacity(tokens.count + 4)
        for token in tokens {
            guard let words = parts(token) else {
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

    /// "teh" → "the", "nite" → "night", "u" → "you", unless the caller uses the word itself.
    func correctCommonMisspellings(_ tokens: inout [NormalizerToken]) {
        for i in tokens.indices where tokens[i].kind == .word {
            let word = tokens[i].text
            guard let corrected = NormalizerLexicon.commonMisspellings[word], !spelling.callerWords.contains(word)
            else { continue }
            tokens[i].text = corrected
            tokens[i].correctedFrom = word
        }
    }

    /// Politeness words, hedges ("could you") and wake phrases ("hey jarvis", "ok google") stay in the text but are
    /// marked so the matcher can skip them.
    func markFillers(_ tokens: inout [NormalizerToken], in text: String) {
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
                // "Hey, if it's …": a name follows its greeting directly, with no punctuation between.
                if NormalizerLexicon.wakeOpeners.contains(word), i + 1 < tokens.count, tokens[i + 1].kind == .word,
                    tokens[i].range.upperBound <= tokens[i + 1].range.lowerBound,
                    text[tokens[i].range.upperBound..<tokens[i + 1].range.lowerBound].allSatisfy(\.isWhitespace)
                {
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

    /// "livingroom" → "living" "room", both pointing at "livingroom", when the catalog writes the name apart. Like an
    /// expanded contraction, not marked as a correction: every letter is as typed.
    func splitCompounds(_ tokens: [NormalizerToken]) -> [NormalizerToken] {
        Self.split(tokens) { token in
            token.kind == .word && !token.isFiller ? spelling.compoundParts(of: token.text) : nil
        }
    }

    /// Typos of the vocabulary.
    func correctSpelling(_ tokens: inout [NormalizerToken]) {
        for i in tokens.indices where tokens[i].kind == .word && !tokens[i].isFiller {
            let word = tokens[i].text
            if let corrected = spelling.correction(of: word) {
                tokens[i].text = corrected
                tokens[i].correctedFrom = word
            }
        }
    }

    /// "night light" → "nightlight", over both words, when the catalog writes the name as one word; a correction only
    /// when one of the words was ("nite light").
    func joinCompounds(_ tokens: [NormalizerToken]) -> [NormalizerToken] {
        var out: [NormalizerToken] = []
        out.reserveCapacity(tokens.count)
        var i = 0
        while i < tokens.count {
            let token = tokens[i]
            if i + 1 < tokens.count, token.kind == .word, tokens[i + 1].kind == .word, !token.isFiller,
                !tokens[i + 1].isFiller, let joined = spelling.compound(token.text, tokens[i + 1].text)
            {
                var compound = token
                compound.text = joined
                compound.range = token.range.lowerBound..<tokens[i + 1].range.upperBound
                if token.correctedFrom != nil || tokens[i + 1].correctedFrom != nil {
                    compound.correctedFrom =
                        (token.correctedFrom ?? token.text) + " " + (tokens[i + 1].correctedFrom ?? tokens[i + 1].text)
                }
                out.append(compound)
                i += 2
                continue
            }
            out.append(token)
            i += 1
        }
        return out
    }

    static let switchVerbs: Set<String> = ["turn", "switch", "shut", "power"]

    /// "of" typed for "off", too short for the edit distance: right after a switching verb ("turn of the lights"),
    /// ending the command after a device or a switching verb ("turn the lights of"), or after a device where no noun
    /// phrase follows ("lights of in the kitchen"). "the lights of the kitchen" and "the light of the moon" keep it.
    func correctOf(_ tokens: inout [NormalizerToken]) {
        let content = tokens.indices.filter { !tokens[$0].isFiller }
        var sawSwitchVerb = false
        for (n, i) in content.enumerated() {
            defer { if Self.switchVerbs.contains(tokens[i].text) { sawSwitchVerb = true } }
            guard tokens[i].kind == .word, tokens[i].text == "of" else { continue }
            let previous = n > 0 ? tokens[content[n - 1]].text : nil
            let next = n + 1 < content.count ? tokens[content[n + 1]].text : nil
            let afterDevice = previous.map(isDeviceWord) ?? false
            let isOff: Bool
            if let previous, Self.switchVerbs.contains(previous) {
                isOff = true
            } else if let next {
                isOff = afterDevice && NormalizerLexicon.wordsAfterOff.contains(next)
            } else {
                isOff = afterDevice || sawSwitchVerb
            }
            if isOff {
                tokens[i].text = "off"
                tokens[i].correctedFrom = "of"
            }
        }
    }

    private func isDeviceWord(_ word: String) -> Bool {
        NormalizerLexicon.deviceNouns.contains(word) || spelling.callerWords.contains(word)
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
