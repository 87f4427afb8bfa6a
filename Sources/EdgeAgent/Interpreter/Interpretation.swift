/// The answer to one command, as `edge-agent ask --json` prints it:
/// `{"id"?, "status", "intent"?, "actions": [{"device", "topic", "payload"}], "queried"?, "via", "confidence",
/// "latency_ms", "reason"?, "candidates"?}`. Only `ok` carries actions; nothing else may be published.
public struct Interpretation: Encodable, Equatable, Sendable {
    public enum Status: String, Encodable, Sendable {
        case ok, ambiguous, unrecognized, rejected
        /// Held for later (the cloud's outbox), answered when it can be.
        case deferred
        /// Arrived or waited past its expiry: never executed.
        case expired
        /// The request itself was bad (a malformed payload); `reason` names the problem.
        case error
    }

    /// One publish: the catalog's topic and the payload's JSON text.
    public struct Command: Encodable, Equatable, Sendable {
        public var device: String
        public var topic: String
        public var payload: String
    }

    public var id: String?
    public var status: Status
    /// The intents decided, for `ok` ("HassTurnOff", "NotACommand", "HassGetState").
    public var intents: [String]
    public var actions: [Command]
    /// For a question (`HassGetState`): the devices asked about.
    public var queried: [String]
    public var via: String
    public var confidence: Double
    public var latencyMs: Double
    public var reason: String?
    public var candidates: [String]
    /// The validated actions with their targets expanded to device and scene ids (an area's lights become the
    /// lights), one per proposed action. Not part of the JSON: the labelled-set evaluation compares these.
    public var resolved: [Action] = []

    enum CodingKeys: String, CodingKey {
        case id, status, intents, actions, queried, via, confidence, reason, candidates
        case latencyMs = "latency_ms"
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(id, forKey: .id)
        try c.encode(status, forKey: .status)
        if !intents.isEmpty { try c.encode(intents, forKey: .intents) }
        try c.encode(actions, forKey: .actions)
        if !queried.isEmpty { try c.encode(queried, forKey: .queried) }
        try c.encode(via, forKey: .via)
        try c.encode((confidence * 100).rounded() / 100, forKey: .confidence)
        try c.encode((latencyMs * 1000).rounded() / 1000, forKey: .latencyMs)
        try c.encodeIfPresent(reason, forKey: .reason)
        if !candidates.isEmpty { try c.encode(candidates, forKey: .candidates) }
    }
}

/// Free-form text to validated commands: normalise, the fast-path matcher, the local model for what the matcher
/// leaves unrecognized (when one is given), then the catalog's validator. A result the validator refuses is
/// `rejected` with its reason, and none of its commands is kept.
public struct Interpreter: Sendable {
    public let catalog: Catalog
    public let normalizer: Normalizer
    public let matcher: Matcher
    public let validator: ActionValidator
    /// The local model, asked when the matcher is unsure; nil: rules only.
    public let model: SLMInterpreter?
    /// Whether the matcher runs first; off, every command goes to the model (for comparing the two).
    public let usesFastPath: Bool
    /// Asked before each use of the model: nil to go ahead, else the answer to give instead (the agent's memory
    /// guard refuses model work above its soft mark while the rules keep serving).
    public var modelGate: (@Sendable (_ id: String?) -> Interpretation?)?

    /// Rules only: the matcher and the validator. `states`, the devices' last reported states, serve relative
    /// set-points ("warmer").
    public init(catalog: Catalog, states: (any DeviceStateSource)? = nil) {
        self.init(catalog: catalog, model: nil, states: states)
    }

    /// The matcher first (unless `fastPath` is false), then `model` for what it leaves unrecognized.
    public init(
        catalog: Catalog, model: SLMInterpreter?, fastPath: Bool = true, states: (any DeviceStateSource)? = nil
    ) {
        self.model = model
        self.usesFastPath = fastPath || model == nil
        self.catalog = catalog
        var vocabulary = Set<String>()
        var names: [String] = []
        for device in catalog.devices { names += [device.name] + device.aliases }
        for area in catalog.areas { names += [area.name] + area.aliases }
        for floor in catalog.floors { names += [floor.name] + floor.aliases }
        for scene in catalog.scenes { names += [scene.name] + scene.aliases }
        for name in names {
            for word in name.lowercased().split(whereSeparator: { $0 == " " || $0 == "-" }) {
                vocabulary.insert(String(word))
            }
        }
        let normalizer = Normalizer(vocabulary: vocabulary)
        self.normalizer = normalizer
        self.matcher = Matcher(catalog: catalog, normalizer: normalizer)
        self.validator = ActionValidator(catalog: catalog, states: states)
    }

    /// The matcher's decision before validation, for tests and tools.
    public func match(_ text: String) -> MatchResult { matcher.match(normalizer.normalize(text)) }

    public func interpret(_ text: String, id: String? = nil) -> Interpretation {
        let clock = ContinuousClock()
        let start = clock.now
        var result = interpretUntimed(text, id: id)
        let elapsed = clock.now - start
        result.latencyMs =
            Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        return result
    }

    func interpretUntimed(_ text: String, id: String?) -> Interpretation {
        let normalized = normalizer.normalize(text)
        var result = Interpretation(
            id: id, status: .unrecognized, intents: [], actions: [], queried: [], via: "rules", confidence: 0,
            latencyMs: 0, reason: nil, candidates: [])
        if usesFastPath {
            let match = matcher.match(normalized)
            result.confidence = match.confidence
            result.reason = match.reason
            result.candidates = match.candidates
            switch match.status {
            case .ambiguous:
                result.status = .ambiguous
                return result
            case .rejected:
                result.status = .rejected
                return result
            case .unrecognized:
                if model == nil { return result }
            case .ok:
                let validated = validate(match.actions, into: result)
                // "bedroom blinds up and bedroom heating to 20" read as one command asks the thermostat for a
                // position; read part by part, each part is a command the catalog can carry out.
                if validated.status == .rejected, let parts = matcher.matchSeparately(normalized) {
                    var second = result
                    second.confidence = parts.confidence
                    second = validate(parts.actions, into: second)
                    if second.status == .ok { return second }
                }
                return validated
            }
        }
        guard let model else { return result }
        if let refusal = modelGate?(id) { return refusal }
        result.via = "slm"
        let proposal: SLMInterpreter.Proposal
        do {
            proposal = try model.propose(text, normalized: normalized)
        } catch {
            result.status = .error
            result.reason = "the model failed: \(error)"
            return result
        }
        result.confidence = proposal.confidence
        result.reason = proposal.reason
        result.candidates = proposal.candidates
        switch proposal.status {
        case .ambiguous:
            result.status = .ambiguous
            return result
        case .unrecognized:
            result.status = .unrecognized
            return result
        case .ok:
            return covering(validate(proposal.actions, into: result), normalized)
        }
    }

    /// The model answers with one action; a command that names more ("the garden lights and the patio lamp",
    /// "the bedroom to 18 and the heating downstairs off") would be carried out in part. Every device, area or
    /// floor the words name must be among what the answer addresses, or nothing acts.
    func covering(_ result: Interpretation, _ text: NormalizedText) -> Interpretation {
        guard result.status == .ok, !result.actions.isEmpty else { return result }
        let addressed = Set(result.resolved.flatMap(\.devices))
        guard let left = matcher.mentions(text).first(where: { $0.targets.isDisjoint(with: addressed) }) else {
            return result
        }
        var partial = result
        partial.status = .unrecognized
        partial.actions = []
        partial.resolved = []
        partial.queried = []
        partial.intents = []
        partial.confidence = min(result.confidence, 0.3)
        partial.reason = "the model's answer leaves out '\(left.words)'"
        return partial
    }

    /// `actions` through the validator: `ok` with their commands, or `rejected` with the first refusal's reason.
    func validate(_ actions: [Action], into proposed: Interpretation) -> Interpretation {
        do {
            return try validator.apply(actions, to: proposed)
        } catch {
            var result = proposed
            result.status = .rejected
            result.reason = error.description
            return result
        }
    }
}

extension ActionValidator {
    /// Every action validated into `proposed`: status `ok`, the commands to publish, the devices asked about, the
    /// actions with their targets expanded (`resolved`), the intents, and the validator's notes after any reason
    /// already there. The first refusal throws, and nothing of the others is kept. Local, learned and cloud answers
    /// all pass here.
    func apply(_ actions: [Action], to proposed: Interpretation) throws(ActionRejection) -> Interpretation {
        var result = proposed
        var notes: [String] = []
        result.actions = []
        result.queried = []
        result.resolved = []
        result.intents = []
        for action in actions {
            let validated = try validate(action)
            result.actions += validated.commands.map {
                Interpretation.Command(device: $0.device, topic: $0.topic, payload: $0.payloadText)
            }
            result.queried += validated.queried
            notes += validated.notes
            var expanded = validated.action
            expanded.devices = action.intent == .getState ? validated.queried : validated.commands.map(\.device)
            expanded.area = nil
            expanded.floor = nil
            expanded.domain = nil
            result.resolved.append(expanded)
            if !result.intents.contains(action.intent.rawValue) { result.intents.append(action.intent.rawValue) }
        }
        result.status = .ok
        if !notes.isEmpty { result.reason = ((result.reason.map { [$0] } ?? []) + notes).joined(separator: "; ") }
        return result
    }
}
