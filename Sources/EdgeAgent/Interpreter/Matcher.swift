/// Step 2 of command interpretation, the fast path: reads a normalised command against the catalog's names,
/// aliases, areas and floors and a fixed set of verbs, and decides only the clear cases. Every slot comes from the
/// words (or a catalog alias, or a single candidate); anything unsure is `unrecognized`, for the model.
///
///     matcher.match(normalizer.normalize("dim the bedroom lamp to 30%"))
///     // ok: HassLightSet devices [bedroom_lamp] value 30 percent
public struct Matcher: Sendable {
    public let catalog: Catalog
    let index: MatcherIndex

    /// Below this the result is `unrecognized`.
    public static let threshold = 0.8

    public init(catalog: Catalog, normalizer: Normalizer) {
        self.catalog = catalog
        self.index = MatcherIndex(catalog: catalog, normalizer: normalizer)
    }

    /// What the words name in the catalog, one entry per mention: its words, and the devices and scenes it can
    /// mean (an area or floor: every device there). Generic nouns ("the light") are left out.
    public func mentions(_ text: NormalizedText) -> [(words: String, targets: Set<String>)] {
        let sentence = MatcherSentence(text: text, index: index)
        var out: [(words: String, targets: Set<String>)] = []
        for segment in sentence.segments {
            for mention in segment.mentions {
                let words = mention.words.joined(separator: " ")
                switch mention.kind {
                case .devices(let ids) where !ids.isEmpty: out.append((words, Set(ids)))
                case .area(let id): out.append((words, Set(catalog.devices(inArea: id).map(\.id))))
                case .floor(let id): out.append((words, Set(catalog.devices(onFloor: id).map(\.id))))
                case .scene(let id): out.append((words, [id]))
                default: continue
                }
            }
        }
        return out
    }

    public func match(_ text: NormalizedText) -> MatchResult {
        if text.contentTokens.isEmpty && !text.tokens.isEmpty { return .notACommand("only courtesy words", confidence: 0.9) }
        let clauses = MatcherClauses.split(text)
        let whole = matchParts(clauses, of: text)
        guard whole.status != .ok else { return whole }
        // "lights on, upper floor": the comma did not end a command. Not when a part names something the catalog
        // lacks ("switch off the kitchen light, the blender").
        let unknownPart = clauses.contains { clause in
            let s = MatcherSentence(text: clause, index: index)
            return s.segments.allSatisfy(\.isEmpty) && !isFraming(s)
        }
        if clauses.count > 1, !unknownPart {
            let unsplit = matchClause(text)
            if unsplit.isCommand { return unsplit }
        }
        return matchSeparately(text) ?? whole
    }

    /// "bedroom blinds up and bedroom heating to 20": no verb after "and", yet each part is a command of its own.
    /// Nil unless the text has parts and every one is a clear command (or a remark around them).
    func matchSeparately(_ text: NormalizedText) -> MatchResult? {
        let parts = MatcherClauses.splitAtJoiners(text)
        guard parts.count > 1 else { return nil }
        let separate = matchParts(parts, of: text)
        return separate.isCommand ? separate : nil
    }

    /// The clauses of one sentence: parts that only frame the request ("so it's getting late", "I'm about to have
    /// a shower", "good evening") are read past unless they hold a negation, condition or time; each other part must
    /// be a clear command of its own.
    func matchParts(_ parts: [NormalizedText], of text: NormalizedText) -> MatchResult {
        var clauses: [NormalizedText] = []
        for part in parts {
            let sentence = MatcherSentence(text: part, index: index)
            if parts.count > 1, isFraming(sentence) {
                if let word = MatcherLexicon.blocksAsRemark(sentence.words) {
                    return .unrecognized("'\(word)' in '\(part.text)': negation, time or condition")
                }
                continue
            }
            // Asides beside a request: a story ("I think I left it on this morning") or what stays as it is
            // ("but leave the night light on").
            if parts.count > 1, MatcherLexicon.isStory(sentence.words) || sentence.words.first == "leave" {
                continue
            }
            clauses.append(part)
        }
        guard clauses.count > 1 else { return matchClause(clauses.first ?? text) }
        // "the ceiling fan, turn it on": a device named first, then the command with "it".
        if clauses.count == 2, let topic = onlyDevice(MatcherSentence(text: clauses[0], index: index)) {
            return matchClause(clauses[1], antecedent: topic)
        }
        // Every clause must be a clear command of its own; anything less and the whole sentence is the model's.
        var combined = MatchResult.ok([], confidence: 1)
        for clause in clauses {
            // "turn on the bedroom lamp and make it blue": "it" is the one device of the clause before.
            let previous = combined.actions.last?.devices ?? []
            let result = matchClause(clause, antecedent: previous.count == 1 ? previous[0] : nil)
            guard result.isCommand, !result.actions.contains(where: { $0.intent == .getState }) else {
                let what = result.reason ?? result.status.rawValue
                return .unrecognized("in '\(clause.text)': \(what)", confidence: min(result.confidence, 0.5))
            }
            // "it's way too warm downstairs, take the heating down two degrees": the reason and the request ask
            // for the same change; the one that says how much stands.
            for action in result.actions {
                if let same = combined.actions.firstIndex(where: {
                    $0.intent == action.intent && Set($0.devices) == Set(action.devices) && $0.area == action.area
                        && $0.floor == action.floor && $0.domain == action.domain
                }) {
                    if combined.actions[same].value == nil { combined.actions[same] = action }
                } else {
                    combined.actions.append(action)
                }
            }
            combined.confidence = min(combined.confidence, result.confidence)
        }
        return combined
    }

    /// The one device a part names when it names nothing else and has no verb ("the ceiling fan").
    func onlyDevice(_ s: MatcherSentence) -> String? {
        guard s.segments.count == 1, s.segments[0].mentions.count == 1, s.quantities.isEmpty,
            case .devices(let ids) = s.segments[0].mentions[0].kind, ids.count == 1,
            s.words.indices.allSatisfy({ s.explained[$0] || MatcherLexicon.determiners.contains(s.words[$0]) })
        else { return nil }
        return ids[0]
    }

    /// "movie night", "Gute Nacht", "wake up scene please": a scene's name with nothing else starts it.
    func sceneAlone(_ s: inout MatcherSentence) -> String? {
        guard s.quantities.isEmpty, s.segments.count == 1, s.segments[0].mentions.count == 1,
            case .scene(let id) = s.segments[0].mentions[0].kind
        else { return nil }
        s.explain(MatcherLexicon.sceneWords)
        return s.unexplainedWords.isEmpty ? id : nil
    }

    /// A command verb with nothing named, or only "it" ("turn it off", "brighter please", "make it 20"): which
    /// device is meant is not in the words, so the answer is `ambiguous` between those that could do it. Other
    /// unknown words may name something the catalog lacks: `unrecognized`.
    func unnamedTarget(_ verb: MatcherVerb, _ s: inout MatcherSentence) -> MatchResult {
        let unnamed = MatchResult.unrecognized("no device, area or floor named", confidence: 0.3)
        s.explain(MatcherLexicon.pronouns)
        // "turn on the dishwasher": a clear command whose object, after "the", is nothing the home has.
        let unknown = s.unexplainedWords
        if verb.kind != .query, !verb.elliptical, (1...2).contains(unknown.count), s.quantities.isEmpty,
            let at = s.words.firstIndex(of: unknown[0]), at > 0, MatcherLexicon.determiners.contains(s.words[at - 1]),
            s.words[at...].prefix(unknown.count) == unknown[...],
            s.words[(at + unknown.count)...].allSatisfy({ MatcherLexicon.ignorable.contains($0) || ["on", "off"].contains($0) }),
            !unknown.contains(where: { index.nameWords.contains(MatcherLexicon.singular($0)) || MatcherLexicon.otherJobs.contains($0) })
        {
            return MatchResult(
                status: .rejected, actions: [], candidates: [], confidence: 0.9,
                reason: "the home has no '\(unknown.joined(separator: " "))'")
        }
        guard unknown.isEmpty, s.quantities.count <= 1, verb.kind != .query else { return unnamed }
        // "lock up", "lock everything": every lock; locking is never the risky direction.
        if verb.kind == .lock, s.contains("up") || s.hasAll {
            let locks = catalog.devices.filter { $0.has(.lock) }.map(\.id)
            if !locks.isEmpty { return .ok([Action(.lock, devices: locks)], confidence: 0.85) }
        }
        let temperature = s.contains("degrees") || s.contains("temperature")
            || s.quantities.contains { [.celsius, .fahrenheit, .degrees].contains($0.quantity.unit) }
        let intents: Set<Intent>
        switch verb.kind {
        case .turnOn: intents = [.turnOn]
        case .turnOff: intents = [.turnOff]
        case .open, .raise: intents = [.openCover]
        case .close, .lower: intents = [.closeCover]
        case .lock: intents = [.lock]
        case .unlock: intents = [.unlock]
        case .warmer: intents = [.temperatureUp]
        case .cooler: intents = [.temperatureDown]
        case .up: intents = temperature ? [.temperatureUp] : [.brightnessUp]
        case .down: intents = temperature ? [.temperatureDown] : [.brightnessDown]
        case .set: intents = temperature ? [.climateSetTemperature] : [.lightSet, .setPosition, .climateSetTemperature]
        case .query, .unsupported: return unnamed
        }
        let candidates = catalog.devices.filter { !intents.isDisjoint(with: $0.intents) }.map(\.id)
        guard !candidates.isEmpty else { return unnamed }
        return .ambiguous(candidates, "which device: '\(s.words.joined(separator: " "))' names none")
    }

    /// "I need a coffee", "I could murder a cup of coffee", "I'd love a warm towel when I get out of the bath": a
    /// wish for what one appliance gives, and nothing else, asks for it to be switched on. A "when I …" after it
    /// is when the wish is for, which the appliance needs to be on before.
    func wished(_ s: MatcherSentence) -> String? {
        let w = s.words
        guard let frame = MatcherLexicon.wishFrames.first(where: { w.starts(with: $0) }), s.quantities.isEmpty else {
            return nil
        }
        var rest = Array(w[frame.count...])
        if let when = rest.firstIndex(where: { ["when", "after", "once"].contains($0) }), when > 0,
            when + 1 < rest.count, ["i", "we"].contains(rest[when + 1])
        {
            rest = Array(rest[..<when])
        }
        var found: [String] = []
        for word in rest {
            let product = MatcherLexicon.productSynonyms[word] ?? MatcherLexicon.singular(word)
            if let ids = index.products[product] {
                found += ids.filter { !found.contains($0) }
            } else if !MatcherLexicon.wishFillers.contains(word) && !MatcherLexicon.ignorable.contains(word)
                && !MatcherLexicon.determiners.contains(word)
            {
                return nil
            }
        }
        return found.count == 1 ? found[0] : nil
    }

    /// A part that names nothing in the catalog, has no number and no command word, and is a remark of its own:
    /// "good evening", "I'm about to have a shower", "the kids are asleep". A noun phrase alone ("the blender"
    /// after "the kitchen light,") is an object the catalog lacks.
    func isFraming(_ s: MatcherSentence) -> Bool {
        // "I'm off to work": "off" before "to" is leaving, not switching.
        // "out for a run": after "a" a command word is a noun.
        let commandWords = s.words.indices.filter { i in
            let word = s.words[i]
            guard MatcherVerb.anyCommandWord.contains(word) else { return false }
            if i > 0 && ["a", "an"].contains(s.words[i - 1]) { return false }
            return !(word == "off" && i + 1 < s.words.count && s.words[i + 1] == "to")
        }
        guard s.segments.allSatisfy(\.isEmpty), s.quantities.isEmpty, commandWords.isEmpty
        else { return false }
        guard let first = s.words.first else { return true }
        // "thanks a lot": nothing but courtesy.
        let courtesyOnly = s.words.allSatisfy {
            MatcherLexicon.ignorable.contains($0) || MatcherLexicon.determiners.contains($0) || $0 == "much"
        }
        return !MatcherLexicon.determiners.contains(first) || s.words.contains(where: MatcherLexicon.clauseMarkers.contains)
            || saysIs(s.text) || courtesyOnly
    }

    /// "the baby's finally asleep": a word of the part followed by "'s" that is "is" (a part with a verb is a
    /// remark, not an object).
    func saysIs(_ text: NormalizedText) -> Bool {
        text.tokens.contains { token in
            let typed = text.original[token.range]
            return token.kind == .word && (typed.hasSuffix("'s") || typed.hasSuffix("\u{2019}s"))
        }
    }

    func matchClause(_ text: NormalizedText, antecedent: String? = nil) -> MatchResult {
        var sentence = MatcherSentence(text: text, index: index)
        if let antecedent { sentence.refer(to: antecedent) }
        let words = sentence.words
        if words.isEmpty { return .unrecognized("empty command", confidence: 0) }
        let verb = MatcherVerb.read(&sentence)
        let mentionsTarget = sentence.segments.contains { !$0.isEmpty }
        if verb == nil, !mentionsTarget, let device = wished(sentence) {
            return .ok([Action(.turnOn, devices: [device])], confidence: 0.85)
        }
        if verb == nil || verb?.kind == .query, !mentionsTarget && sentence.quantities.isEmpty
            && !words.contains(where: MatcherLexicon.homeWords.contains)
        {
            return .notACommand("no device, area or command verb", confidence: 0.9)
        }
        // "Set a timer", "write a poem about lamps": another assistant's job, unless a device is named.
        if let job = words.first(where: MatcherLexicon.otherJobs.contains),
            !sentence.segments.contains(where: { !$0.devices.isEmpty })
        {
            return .notACommand("'\(job)' is not a device command", confidence: 0.85)
        }
        if let why = MatcherLexicon.nothingToDo(words, isQuestion: verb?.kind == .query) {
            return .notACommand(why, confidence: 0.85)
        }
        let vetoes = verb?.kind == .query ? MatcherLexicon.questionVetoes : MatcherLexicon.vetoWords
        if let veto = MatcherLexicon.veto(in: words, from: vetoes, ignoring: sentence.negationsRead) {
            return .unrecognized("'\(veto)': negation, time or condition")
        }
        guard let verb else {
            if let scene = sceneAlone(&sentence) { return .ok([Action(.turnOn, devices: [scene])], confidence: 0.9) }
            return .unrecognized("no command verb", confidence: 0.3)
        }
        if verb.indirect && !mentionsTarget {
            // "it's chilly in here": the place is where the speaker is, which the words do not say.
            let type: DeviceType = verb.domain ?? (verb.kind == .warmer || verb.kind == .cooler ? .climate : .light)
            let candidates = catalog.devices.filter { $0.type == type }.map(\.id)
            if candidates.count > 1 {
                return .ambiguous(candidates, "which room: '\(words.joined(separator: " "))' names none")
            }
        }
        guard mentionsTarget else { return unnamedTarget(verb, &sentence) }

        let decided: MatcherIntent.Decision
        switch MatcherIntent.decide(verb, &sentence, catalog: catalog) {
        case .success(let decision): decided = decision
        case .failure(let failure): return failure.result
        }
        if sentence.namelessParts > 0 {
            return .unrecognized("a part joined by 'and' names no device, area or floor", confidence: 0.3)
        }
        if let qualifier = sentence.unknownQualifier {
            return .unrecognized("'\(qualifier)' may name a device not in the catalog", confidence: 0.3)
        }
        let resolved: [Action]
        switch MatcherTargets(catalog: catalog, index: index).resolve(sentence, decided) {
        case .success(let actions): resolved = actions
        case .failure(let failure): return failure.result
        }

        let unexplained = sentence.unexplainedWords
        if let part = unexplained.first(where: { index.nameWords.contains(MatcherLexicon.singular($0)) }) {
            return .unrecognized("'\(part)' is part of a device name but names no device", confidence: 0.3)
        }
        var confidence = 0.95
        confidence -= 0.1 * Double(unexplained.count)
        confidence -= 0.03 * Double(sentence.correctedTargetWords)
        confidence -= 0.05 * Double(sentence.partialNames)
        if verb.elliptical { confidence -= 0.05 }
        if decided.assumedUnit { confidence -= 0.05 }
        confidence = max(0, min(1, (confidence * 100).rounded() / 100))
        if confidence < Self.threshold {
            return .unrecognized(
                "words not understood: " + unexplained.joined(separator: " "), confidence: confidence)
        }
        return .ok(resolved, confidence: confidence)
    }
}

/// Why the matcher stopped: an `ambiguous` or `unrecognized` result.
struct MatcherFailure: Error {
    var result: MatchResult
    init(_ result: MatchResult) { self.result = result }
    static func unsure(_ reason: String) -> MatcherFailure { MatcherFailure(.unrecognized(reason, confidence: 0.3)) }
}
