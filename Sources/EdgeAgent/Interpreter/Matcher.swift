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
        let clauses = MatcherClauses.split(text)
        guard clauses.count > 1 else { return matchClause(text) }
        // Every clause must be a clear command of its own; anything less and the whole sentence is the model's.
        var combined = MatchResult(status: .ok, actions: [], candidates: [], confidence: 1, reason: nil)
        for clause in clauses {
            let result = matchClause(clause)
            guard result.status == .ok,
                !result.actions.contains(where: { $0.intent == .notACommand || $0.intent == .getState })
            else {
                let what = result.reason ?? result.status.rawValue
                return .unrecognized("in '\(clause.text)': \(what)", confidence: min(result.confidence, 0.5))
            }
            combined.actions += result.actions
            combined.confidence = min(combined.confidence, result.confidence)
        }
        return combined
    }

    func matchClause(_ text: NormalizedText) -> MatchResult {
        var sentence = MatcherSentence(text: text, index: index)
        let words = sentence.words
        if words.isEmpty { return .unrecognized("empty command", confidence: 0) }
        let verb = MatcherVerb.read(&sentence)
        let mentionsTarget = sentence.segments.contains { !$0.isEmpty }
        if verb == nil || verb?.kind == .query, !mentionsTarget && sentence.quantities.isEmpty
            && !words.contains(where: MatcherLexicon.homeWords.contains)
        {
            return MatchResult(
                status: .ok, actions: [Action(.notACommand)], candidates: [], confidence: 0.9,
                reason: "no device, area or command verb")
        }
        if let veto = MatcherLexicon.veto(in: words) {
            return .unrecognized("'\(veto)': negation, time or condition")
        }
        guard let verb else { return .unrecognized("no command verb", confidence: 0.3) }
        if verb.indirect && !mentionsTarget {
            // "it's chilly in here": the place is where the speaker is, which the words do not say.
            let type: DeviceType = verb.kind == .warmer || verb.kind == .cooler ? .climate : .light
            let candidates = catalog.devices.filter { $0.type == type }.map(\.id)
            if candidates.count > 1 {
                return .ambiguous(candidates, "which room: '\(words.joined(separator: " "))' names none")
            }
        }
        guard mentionsTarget else { return .unrecognized("no device, area or floor named", confidence: 0.3) }

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
        if verb.elliptical { confidence -= 0.05 }
        if decided.assumedUnit { confidence -= 0.05 }
        confidence = max(0, min(1, (confidence * 100).rounded() / 100))
        if confidence < Self.threshold {
            return .unrecognized(
                "words not understood: " + unexplained.joined(separator: " "), confidence: confidence)
        }
        return MatchResult(status: .ok, actions: resolved, candidates: [], confidence: confidence, reason: nil)
    }
}

/// Why the matcher stopped: an `ambiguous` or `unrecognized` result.
struct MatcherFailure: Error {
    var result: MatchResult
    init(_ result: MatchResult) { self.result = result }
    static func unsure(_ reason: String) -> MatcherFailure { MatcherFailure(.unrecognized(reason, confidence: 0.3)) }
}
