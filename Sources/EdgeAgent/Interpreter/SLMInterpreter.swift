import SLM
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Step 3 of command interpretation: the local model, for what the fast path could not decide. The model writes
/// one action as JSON, constrained to the catalog's schema (it can only choose among the catalog's intents, ids,
/// areas, colours and value range); every slot is then checked against the words (`SLMGrounding`), and the
/// result carries a confidence from the model's probabilities at the points where the grammar left it a choice.
///
/// The prompt is a chat for an instruction-tuned model and a few-shot document for a base model (`SLMPromptFormat`).
/// Its prefix is evaluated once (or restored from `PrefixCache`), and each command evaluates only its own
/// turn after rewinding to it. One command at a time: calls are serialised.
public final class SLMInterpreter: @unchecked Sendable {
    public struct Options: Sendable {
        /// Below this the answer is `unrecognized` (or `ambiguous`), never an action.
        public var threshold = 0.35
        /// Sampled tokens per command at most.
        public var maxSteps = 48
        /// Where the evaluated prefix is stored; nil: never on disk.
        public var prefixCache: PrefixCache? = PrefixCache(directory: PrefixCache.defaultDirectory())
        /// Compute every grammar node's token set at start-up rather than on first use.
        public var precomputeTokenSets = true
        /// How the prompt is laid out; nil: as the model file says (`SLMPromptFormat(gguf:)`).
        public var promptFormat: SLMPromptFormat?

        public init() {}
    }

    /// What the model proposed for one command, grounded but not yet validated.
    public struct Proposal: Sendable {
        public enum Status: Sendable { case ok, ambiguous, unrecognized }
        public var status: Status
        public var actions: [Action]
        public var confidence: Double
        public var candidates: [String]
        public var reason: String?
        /// The model's JSON as written.
        public var output: String
        public var promptTokens: Int
        public var sampledTokens: Int
        public var forcedTokens: Int
        public var maskSeconds: Double
        public var seconds: Double
    }

    /// How start-up went: the prefix's length, and whether it came from disk.
    public struct Startup: Sendable {
        public var prefixTokens: Int
        public var restoredFromDisk: Bool
        public var seconds: Double
    }

    public let catalog: Catalog
    public let model: LocalModel
    public let options: Options
    public let prompt: SLMPrompt
    public let grammar: Grammar
    public let startup: Startup
    public let format: SLMPromptFormat
    let prefix: [Int32]
    let sets: GrammarTokenSets
    let generator: ConstrainedGenerator
    let lock = Mutex(())

    /// The context the agent gives the model unless configured: the prompt with the sample catalog is about 1,100
    /// tokens, and one command with its answer under 100.
    public static let defaultContextLength = 2048

    public init(catalog: Catalog, model: LocalModel, options: Options = Options()) throws {
        let clock = ContinuousClock()
        let start = clock.now
        self.catalog = catalog
        self.model = model
        self.options = options
        grammar = try Grammar(SchemaGrammar.grammarSchema(from: SLMAnswer.schema(for: catalog)))
        sets = GrammarTokenSets(grammar: grammar, vocabulary: GrammarVocabulary(tokenizer: model.tokenizer))
        if options.precomputeTokenSets { sets.precomputeAll() }
        generator = ConstrainedGenerator(evaluator: model.session, tokenizer: model.tokenizer, sets: sets)
        prompt = SLMPrompt(catalog: catalog)
        format = options.promptFormat ?? SLMPromptFormat(gguf: model.model.file)
        prefix = format.prefixTokens(prompt, tokenizer: model.tokenizer)

        let session = model.session
        session.reset()
        var restored = false
        if let cache = options.prefixCache { restored = cache.load(into: session, tokens: prefix) }
        if !restored {
            try session.evaluate(prefix)
            options.prefixCache?.save(session, tokens: prefix)
        }
        startup = Startup(prefixTokens: prefix.count, restoredFromDisk: restored, seconds: (clock.now - start).seconds)
    }

    /// Times of day that make a command a schedule, beyond the matcher's veto words.
    static let whenWords: Set<String> = [
        "sunset", "sunrise", "dawn", "dusk", "noon", "midnight", "daily", "everyday", "morning", "monday", "tuesday",
        "wednesday", "thursday", "friday", "saturday", "sunday", "weekend", "ago",
    ]

    /// The tokens of one command's turn, after the prefix.
    func commandTokens(_ text: String) -> [Int32] {
        format.commandTokens(text, tokenizer: model.tokenizer)
    }

    public func propose(_ text: String, normalized: NormalizedText) throws -> Proposal {
        try lock.withLock { _ in try proposeLocked(text, normalized: normalized) }
    }

    func proposeLocked(_ text: String, normalized: NormalizedText) throws -> Proposal {
        let session = model.session
        if session.position != prefix.count { try session.rewind(to: prefix.count) }
        let tokens = commandTokens(text)
        let result = try generator.generate(prompt: tokens, maxSteps: options.maxSteps)
        try session.rewind(to: prefix.count)

        var proposal = Proposal(
            status: .unrecognized, actions: [], confidence: result.minimumProbability, candidates: [], reason: nil,
            output: result.text, promptTokens: result.promptTokens, sampledTokens: result.sampledTokens,
            forcedTokens: result.forcedTokens, maskSeconds: result.maskSeconds, seconds: result.seconds)
        guard result.isComplete,
            let answer = try? JSONDecoder().decode(SLMAnswer.self, from: Data(result.text.utf8)),
            let proposed = answer.action(quantities: normalized.quantities)
        else {
            proposal.confidence = 0
            proposal.reason = "the model did not finish an action"
            return proposal
        }
        let grounding = SLMGrounding(catalog: catalog, text: normalized)
        var reasons: [String] = []
        var confidence = self.confidence(result)
        var proposedAction = proposed
        if proposed.intent == .notACommand && grounding.isQuestion && !proposed.devices.isEmpty {
            // "is the front door locked?" answered "none" with a device: a question about it, if the words name it.
            proposedAction.intent = .getState
            proposedAction.value = nil
            proposedAction.color = nil
            confidence = self.confidence(result, ignoring: ["intent"])
        }
        var (action, dropped) = grounding.ground(proposedAction)
        if action.intent == .notACommand {
            proposedAction = proposed
            (action, dropped) = (Action(.notACommand), [])
        }
        if action.intent != .notACommand && !SLMGrounding.hasTarget(action) {
            // The model's target is not in the words; a device the words name outright is.
            var named = grounding.namedDevices()
            if named.isEmpty {
                // "it's too dark in the office": the one device of the area named that can do it.
                let areas = catalog.areas.filter(grounding.namesArea)
                if areas.count == 1 {
                    named = catalog.devices(inArea: areas[0].id).filter { $0.intents.contains(action.intent) }
                }
            }
            if named.count == 1 {
                action.devices = named.map(\.id)
                reasons.append("the words name \(named[0].id)")
                confidence = self.confidence(result, ignoring: ["devices", "area", "floor", "domain"])
            }
        }
        if action.intent != .notACommand {
            let devices = action.devices.compactMap(catalog.device)
            let fitted = SLMGrounding.fit(action.intent, to: devices)
            if fitted != action.intent {
                reasons.append("\(SLMAnswer.word(for: action.intent)) fitted to \(SLMAnswer.word(for: fitted))")
                action.intent = fitted
                if fitted == .climateSetTemperature && action.unit == .percent { action.unit = nil }
            }
        }
        if action.intent == .turnOn, !action.devices.isEmpty, grounding.saysLevelChangeNotOn {
            // "dim the mirror light", "turn the TV volume up": a change of level, not "on". For lights the
            // validator decides (a light without brightness is refused); anything else is not acted on.
            let devices = action.devices.compactMap(catalog.device)
            guard devices.allSatisfy({ $0.type == .light }) else {
                proposal.confidence = min(confidence, 0.3)
                proposal.reason = (reasons + ["the words change a level, not on"]).joined(separator: "; ")
                return proposal
            }
            action.intent = grounding.words.contains(where: SLMGrounding.downWords.contains) ? .brightnessDown : .brightnessUp
            reasons.append("the words change a level, not on")
        }
        if action.intent == .turnOn, !action.devices.isEmpty {
            // "turn the night light blue": on, with a colour or a level said, is a setting of the light, which the
            // validator refuses for a light without colour or brightness; a number for a thermostat is its set-point.
            let devices = action.devices.compactMap(catalog.device)
            let spoken = grounding.spokenValue()
            if devices.allSatisfy({ $0.type == .light }), grounding.spokenColor() != nil || spoken?.1 == .percent {
                action.intent = .lightSet
                reasons.append("on with a setting said is set")
            } else if devices.allSatisfy({ $0.type == .climate }), let spoken, spoken.1 != .percent {
                action.intent = .climateSetTemperature
                reasons.append("on with a temperature said is set")
            }
        }
        if [.lightSet, .setPosition, .climateSetTemperature, .brightnessUp, .brightnessDown].contains(action.intent) {
            if action.value == nil, let (value, unit) = grounding.spokenValue() {
                action.value = value
                action.unit = unit ?? (action.intent == .climateSetTemperature ? nil : .percent)
                if action.intent == .climateSetTemperature && action.unit == .percent { action.value = nil }
                dropped.removeAll { $0.hasPrefix("value") }
            }
            if action.intent == .lightSet, let color = grounding.spokenColor() {
                action.color = color
                dropped.removeAll { $0.hasPrefix("color") }
            }
        }
        let intent = grounding.groundIntent(action.intent, targetsNamed: SLMGrounding.hasTarget(action))
        if intent != action.intent {
            // The words decided the intent; the model's doubt about it no longer counts.
            reasons.append("the words say \(SLMAnswer.word(for: intent)), not \(SLMAnswer.word(for: action.intent))")
            action.intent = intent
            if intent == .getState {
                action.value = nil
                action.unit = nil
                action.color = nil
            }
            confidence = self.confidence(result, ignoring: ["intent"])
        }
        if !dropped.isEmpty {
            reasons.append("not in the words: " + dropped.joined(separator: ", "))
        }
        if action.intent != .notACommand && !SLMGrounding.hasTarget(action) {
            proposal.confidence = min(confidence, 0.3)
            proposal.reason = (reasons + ["no device, area or floor the words support"]).joined(separator: "; ")
            proposal.candidates = proposedAction.devices.filter { catalog.device($0) != nil }
            if proposal.candidates.count > 1 { proposal.status = .ambiguous }
            return proposal
        }
        proposal.confidence = confidence
        let words = normalized.tokens.map(\.folded)
        if [.openCover, .closeCover].contains(action.intent),
            let word = words.first(where: MatcherLexicon.partialWords.contains)
                ?? grounding.spokenValue().map({ "\(JSONValue.format($0.0))" })
        {
            proposal.confidence = min(confidence, 0.3)
            proposal.reason = (reasons + ["'\(word)': part of the way, not all of it"]).joined(separator: "; ")
            return proposal
        }
        if ![.getState, .notACommand].contains(action.intent),
            let veto = MatcherLexicon.veto(in: words) ?? words.first(where: Self.whenWords.contains)
        {
            // Negation, a time or a condition: the model cannot be trusted to have read it, so nothing acts.
            proposal.confidence = min(confidence, 0.3)
            proposal.reason = (reasons + ["'\(veto)': negation, time or condition"]).joined(separator: "; ")
            return proposal
        }
        if confidence < options.threshold {
            proposal.candidates = candidates(result)
            proposal.status = proposal.candidates.count > 1 ? .ambiguous : .unrecognized
            proposal.reason = (reasons + ["the model is unsure (\(Int((confidence * 100).rounded())) %)"])
                .joined(separator: "; ")
            return proposal
        }
        proposal.status = .ok
        proposal.actions = [action]
        if !reasons.isEmpty { proposal.reason = reasons.joined(separator: "; ") }
        return proposal
    }

    /// The least probable of the model's choices of a value — a device, area, floor, domain or intent — leaving
    /// out the members in `ignoring` (decided by the words instead). Choices of which key comes next, or of how
    /// to spell punctuation, are not doubts about the answer.
    func confidence(_ result: ConstrainedResult, ignoring: Set<String> = []) -> Double {
        let spans = Self.valueSpans(Array(result.text.utf8)).filter { !ignoring.contains($0.key) }
        var lowest = 1.0
        for choice in result.choices {
            let end = choice.offset + max(1, model.tokenizer.piece(choice.token).count)
            if spans.contains(where: { $0.bytes.lowerBound < end && choice.offset < $0.bytes.upperBound }) {
                lowest = min(lowest, choice.probability)
            }
        }
        return lowest
    }

    /// The inside of every string value of a compact JSON object, with the key it belongs to.
    static func valueSpans(_ bytes: [UInt8]) -> [(key: String, bytes: Range<Int>)] {
        var spans: [(String, Range<Int>)] = []
        var key = ""
        var i = 0
        while i < bytes.count {
            guard bytes[i] == UInt8(ascii: "\"") else {
                i += 1
                continue
            }
            var close = i + 1
            while close < bytes.count && bytes[close] != UInt8(ascii: "\"") {
                close += bytes[close] == UInt8(ascii: "\\") ? 2 : 1
            }
            let inside = (i + 1)..<min(close, bytes.count)
            if close + 1 < bytes.count && bytes[close + 1] == UInt8(ascii: ":") {
                key = String(decoding: bytes[inside], as: UTF8.self)
            } else {
                spans.append((key, inside))
            }
            i = close + 1
        }
        return spans
    }

    /// When the least sure choice was between device ids: the ids its likelier alternatives lead to.
    func candidates(_ result: ConstrainedResult) -> [String] {
        guard let weakest = result.choices.min(by: { $0.probability < $1.probability }) else { return [] }
        let before = String(decoding: Array(result.text.utf8)[..<weakest.offset], as: UTF8.self)
        guard let open = before.ranges(of: "\"devices\":[").last,
            !before[open.upperBound...].contains("]"), let quote = before.lastIndex(of: "\"")
        else { return [] }
        let partial = String(before[before.index(after: quote)...])
        var ids: [String] = []
        for alternative in weakest.alternatives where alternative.probability >= 0.05 {
            let piece = String(decoding: model.tokenizer.piece(alternative.token), as: UTF8.self)
            let start = partial + piece
            for device in catalog.devices where (device.id + "\"").hasPrefix(start) && !ids.contains(device.id) {
                ids.append(device.id)
            }
        }
        return ids
    }
}
