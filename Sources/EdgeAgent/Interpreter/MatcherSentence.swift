/// A command as the matcher reads it: the content words, the catalog phrases and device nouns found in them
/// (grouped by "and"), the numbers, and which words have been accounted for.
struct MatcherSentence {
    struct Mention {
        enum Kind: Equatable {
            case devices([String])
            case area(String)
            case floor(String)
            case scene(String)
            /// A word for a kind of device ("lamp", "lights"), singular, and whether it was plural.
            case noun(String, plural: Bool)
        }
        var kind: Kind
        /// The phrase's words, singular forms.
        var words: [String]
        /// Whether the phrase ended in a plural ("the blinds", "the counter lights").
        var plural = false
    }

    struct Segment {
        var mentions: [Mention] = []
        var isEmpty: Bool { mentions.isEmpty }
        var areas: [String] { mentions.compactMap { if case .area(let id) = $0.kind { id } else { nil } } }
        var floors: [String] { mentions.compactMap { if case .floor(let id) = $0.kind { id } else { nil } } }
        var scenes: [String] { mentions.compactMap { if case .scene(let id) = $0.kind { id } else { nil } } }
        var devices: [Mention] { mentions.filter { if case .devices = $0.kind { true } else { false } } }
        var nouns: [(word: String, plural: Bool)] {
            mentions.compactMap { if case .noun(let w, let p) = $0.kind { (w, p) } else { nil } }
        }
    }

    struct Number {
        var quantity: NormalizedText.Quantity
        /// Index of the number in `words`.
        var position: Int
    }

    let text: NormalizedText
    /// Folded content words (fillers left out), numbers and unit symbols included.
    let words: [String]
    private(set) var explained: [Bool]
    private(set) var segments: [Segment] = []
    private(set) var quantities: [Number] = []
    private(set) var correctedTargetWords = 0
    /// Devices named only by the last word of their name ("the hood").
    private(set) var partialNames = 0
    /// Parts between "and"s that have words but name nothing the catalog knows ("the coffee machine and the hood"):
    /// acting on the rest would silently drop a device.
    private(set) var namelessParts = 0
    /// Where a floor's name starts, so "on the first floor" is not read as "turn on".
    private(set) var floorStarts: Set<Int> = []
    /// Where each device name, alias or device noun starts.
    private(set) var deviceStarts: [Int] = []
    var isQuestion: Bool { text.isQuestion }
    var hasAll: Bool { MatcherLexicon.saysAll(words) }

    init(text: NormalizedText, index: MatcherIndex) {
        self.text = text
        // Fillers and polite frames ("if you could", "when you get a chance") are not read at all.
        // Frames are found with the fillers left in too: "if that's ok with you" has one ("ok").
        let framedWithFillers = MatcherLexicon.politeFrameIndices(in: text.tokens.map(\.folded))
        var kept = text.tokens.indices.filter { !text.tokens[$0].isFiller && !framedWithFillers.contains($0) }
        let framed = MatcherLexicon.politeFrameIndices(in: kept.map { text.tokens[$0].folded })
        kept = kept.enumerated().filter { !framed.contains($0.offset) }.map(\.element)
        // German is read word for word, from what was typed ("Licht", not its spelling correction "light").
        let typed = kept.map { Diacritics.fold(text.tokens[$0].correctedFrom ?? text.tokens[$0].folded) }
        let german = typed.contains(where: MatcherLexicon.germanMarkers.contains)
        var positions: [Int: Int] = [:]
        var words: [String] = []
        let separable = german ? typed.last.flatMap { MatcherLexicon.germanSeparable[$0]?[typed[0]] } : nil
        // "Könntest du die Heizung auf 19 Grad stellen?": after a modal the verb comes last; read it in the
        // modal's place.
        let finalVerb = german && kept.count > 2 && separable == nil && MatcherLexicon.germanModals.contains(typed[0])
            ? typed.last.flatMap { MatcherLexicon.germanFinal[$0] } : nil
        for (n, i) in kept.enumerated() {
            positions[i] = words.count
            if let finalVerb, n == 0 || n == kept.count - 1 {
                words.append(n == 0 ? finalVerb : "please")
                continue
            }
            if let separable, n == 0 || n == kept.count - 1 {
                words.append(n == 0 ? separable : "please")
                continue
            }
            var word = text.tokens[i].folded
            if text.tokens[i].kind == .word {
                word = MatcherLexicon.gerunds[word] ?? word
                // "put the heat up": the heating, unless "heat" is the verb.
                if word == "heat" && n > 0 { word = "heating" }
                // "zu hell", "zu kalt": too, not to.
                if german, typed[n] == "zu", n + 1 < typed.count, MatcherLexicon.germanConditions.contains(typed[n + 1]) {
                    word = "too"
                } else if german, let english = n == kept.count - 1 ? MatcherLexicon.germanLast[typed[n]] : nil {
                    word = english
                } else if german, let english = MatcherLexicon.german[typed[n]] {
                    word = english
                }
            }
            words.append(word)
        }
        self.words = words
        self.explained = Array(repeating: false, count: words.count)
        for quantity in text.quantities {
            guard let position = positions[quantity.tokens.lowerBound] else { continue }
            quantities.append(Number(quantity: quantity, position: position))
            for t in quantity.tokens { if let p = positions[t] { explained[p] = true } }
        }
        let contentTokens = kept.map { text.tokens[$0] }
        var segment = Segment()
        var partStart = 0
        var i = 0
        while i < words.count {
            let word = words[i]
            if word == "and" || word == "&" || word == "und" {
                explained[i] = true
                if !segment.isEmpty { segments.append(segment) } else if i > partStart { namelessParts += 1 }
                segment = Segment()
                partStart = i + 1
                i += 1
                continue
            }
            // "all the blinds": an alias that is only a device noun names the kind, not the one device.
            let nounAlias = MatcherLexicon.domainNouns[MatcherLexicon.singular(word)] != nil
            // "both thermostats" too: the kind, of which there must then be two.
            let all = MatcherLexicon.saysAll(words) || (words.contains("both") && MatcherLexicon.singular(word) != word)
            // "all the garden lights": with "all", a name made of a place and a device noun is the place's lights.
            if all, contentTokens[i].kind == .word, let (length, _) = index.longestMatch(in: words, at: i), length > 1,
                MatcherLexicon.domainNouns[MatcherLexicon.singular(words[i + length - 1])] != nil,
                let area = index.area(named: Array(words[i..<i + length - 1]))
            {
                segment.mentions.append(Mention(kind: .area(area), words: Array(words[i..<i + length - 1])))
                for j in i..<i + length - 1 { explained[j] = true }
                i += length - 1
                continue
            }
            if contentTokens[i].kind == .word, let (length, referents) = index.longestMatch(in: words, at: i),
                !(length == 1 && nounAlias && all)
            {
                let phrase = words[i..<i + length].map(MatcherLexicon.singular)
                let devices = referents.compactMap { if case .device(let id) = $0 { id } else { nil } }
                let kind: Mention.Kind
                if !devices.isEmpty {
                    kind = .devices(devices)
                } else if case .area(let id) = referents[0] {
                    kind = .area(id)
                } else if case .floor(let id) = referents[0] {
                    kind = .floor(id)
                    floorStarts.insert(i)
                } else if case .scene(let id) = referents[0] {
                    kind = .scene(id)
                } else {
                    kind = .devices([])
                }
                segment.mentions.append(Mention(kind: kind, words: phrase, plural: phrase.last != words[i + length - 1]))
                if case .devices = kind { deviceStarts.append(i) }
                for j in i..<i + length {
                    explained[j] = true
                    if contentTokens[j].correctedFrom != nil { correctedTargetWords += 1 }
                }
                i += length
                continue
            }
            let single = MatcherLexicon.singular(word)
            if contentTokens[i].kind == .word, contentTokens[i].correctedFrom == nil, let ids = index.headWords[single] {
                segment.mentions.append(Mention(kind: .devices(ids), words: [single]))
                deviceStarts.append(i)
                explained[i] = true
                partialNames += 1
                i += 1
                continue
            }
            // "lock the door", "light up the garden": the verb is not also the noun.
            let isVerb = i == 0 && (word == "lock" || word == "heat" || (word == "light" && words.count > 1 && words[1] == "up"))
            if contentTokens[i].kind == .word, !isVerb,
                MatcherLexicon.domainNouns[single] != nil || single == "temperature"
            {
                segment.mentions.append(Mention(kind: .noun(single, plural: single != word), words: [single]))
                deviceStarts.append(i)
                explained[i] = true
            }
            i += 1
        }
        if !segment.isEmpty {
            segments.append(segment)
        } else if partStart > 0 && words.count > partStart {
            namelessParts += 1
        }
    }

    /// A pronoun in a sentence that names nothing ("make it blue") stands for `device`, named in the clause before.
    mutating func refer(to device: String) {
        guard segments.allSatisfy(\.isEmpty), let i = words.firstIndex(where: ["it", "them"].contains) else { return }
        segments = [Segment(mentions: [Mention(kind: .devices([device]), words: [words[i]])])]
        deviceStarts.append(i)
        explained[i] = true
    }

    /// Negations a verb reading has taken as part of the request ("no need for the light").
    private(set) var negationsRead: Set<Int> = []

    mutating func explain(_ i: Int) { explained[i] = true }

    /// The number is a level, said after "to" or "at" ("up to 22", "kitchen light at 40%"), not a step.
    func isLevel(_ n: Number) -> Bool { n.position > 0 && ["to", "at"].contains(words[n.position - 1]) }

    mutating func readNegation(_ i: Int) {
        explained[i] = true
        negationsRead.insert(i)
    }

    /// Marks every occurrence of the words as understood.
    mutating func explain(_ set: Set<String>) {
        for (i, word) in words.enumerated() where set.contains(word) { explained[i] = true }
    }

    func firstIndex(of word: String) -> Int? { words.firstIndex(of: word) }

    func contains(_ word: String) -> Bool { words.contains(word) }

    /// An unknown word right before a device name or noun ("the attic thermostat"): it may name another device.
    var unknownQualifier: String? {
        for start in deviceStarts where start > 0 {
            let word = words[start - 1]
            if !explained[start - 1] && !MatcherLexicon.ignorable.contains(word) { return word }
        }
        return nil
    }

    /// Content words that nothing accounted for, ignorable words aside.
    var unexplainedWords: [String] {
        words.indices.filter { !explained[$0] && !MatcherLexicon.ignorable.contains(words[$0]) }.map { words[$0] }
    }
}
