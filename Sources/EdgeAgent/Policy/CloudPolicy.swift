#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What may leave the device, and when: the owner's rules for escalating to the cloud. Pure: every decision is a
/// function of the request, the day's usage and the time, and comes with the reason it was taken.
///
/// ```yaml
/// policy:
///   mode: fallback                 # never | fallback | prefer
///   confidence_threshold: 0.6      # fallback: escalate a local answer less sure than this
///   questions: false               # may free-form questions (not device commands) leave the device?
///   allow: { intents: [], areas: [], devices: [] }    # empty: everything not denied
///   deny:  { intents: [HassUnlock], areas: [bedroom], devices: [front_door_lock] }
///   requests_per_day: 200
///   tokens_per_day: 50000
///   max_payload_bytes: 4096
///   time_windows: ["22:00-06:00"]  # local time; empty: any time
///   metered_link: false            # on a metered link only device commands escalate
/// ```
public struct CloudPolicy: Sendable, Equatable {
    public enum Mode: String, Sendable, CaseIterable {
        /// Fully offline: nothing leaves the device.
        case never
        /// Escalate only what the device cannot handle (unrecognized, ambiguous, or under the threshold).
        case fallback
        /// Cloud first when online; the local answer when not.
        case prefer
    }

    /// Intents, areas and devices; an empty list means "no rule".
    public struct Scope: Sendable, Equatable {
        public var intents: Set<String>
        public var areas: Set<String>
        public var devices: Set<String>

        public init(intents: Set<String> = [], areas: Set<String> = [], devices: Set<String> = []) {
            self.intents = intents
            self.areas = areas
            self.devices = devices
        }
    }

    public var mode: Mode
    public var confidenceThreshold: Double
    public var questions: Bool
    public var allow: Scope
    public var deny: Scope
    public var requestsPerDay: Int?
    public var tokensPerDay: Int?
    public var maxPayloadBytes: Int
    public var timeWindows: [TimeWindow]
    public var meteredLink: Bool

    public init(
        mode: Mode = .fallback, confidenceThreshold: Double = 0.6, questions: Bool = false, allow: Scope = Scope(),
        deny: Scope = Scope(), requestsPerDay: Int? = 500, tokensPerDay: Int? = 100_000, maxPayloadBytes: Int = 8192,
        timeWindows: [TimeWindow] = [], meteredLink: Bool = false
    ) {
        self.mode = mode
        self.confidenceThreshold = confidenceThreshold
        self.questions = questions
        self.allow = allow
        self.deny = deny
        self.requestsPerDay = requestsPerDay
        self.tokensPerDay = tokensPerDay
        self.maxPayloadBytes = maxPayloadBytes
        self.timeWindows = timeWindows
        self.meteredLink = meteredLink
    }

    /// What is known of one escalation before it is sent.
    public struct Request: Sendable {
        public var kind: EscalationKind
        public var localStatus: Interpretation.Status
        public var localConfidence: Double
        /// What the local interpretation named: its intents, and the devices and areas of its actions and
        /// candidates. The cloud's answer is held to the same rules again (`permits`).
        public var scope: Scope
        /// The request's own `allow_cloud`, when it gave one.
        public var allowCloud: Bool?
        /// The redacted request body's size.
        public var payloadBytes: Int
        /// Prompt estimate plus the answer's `max_tokens`.
        public var estimatedTokens: Int

        public init(
            kind: EscalationKind, localStatus: Interpretation.Status, localConfidence: Double, scope: Scope,
            allowCloud: Bool?, payloadBytes: Int, estimatedTokens: Int
        ) {
            self.kind = kind
            self.localStatus = localStatus
            self.localConfidence = localConfidence
            self.scope = scope
            self.allowCloud = allowCloud
            self.payloadBytes = payloadBytes
            self.estimatedTokens = estimatedTokens
        }
    }

    public struct Decision: Sendable, Equatable {
        public var allowed: Bool
        /// Why, in words for the result's `reason` and telemetry ("intent HassUnlock is denied by policy").
        public var reason: String
    }

    /// The day's spending so far.
    public struct Usage: Sendable, Equatable {
        public var requests: Int
        public var tokens: Int
        public init(requests: Int = 0, tokens: Int = 0) {
            self.requests = requests
            self.tokens = tokens
        }
    }

    /// Whether the local answer alone decides the command, before any rule about what may leave.
    public func needsCloud(_ request: Request) -> Decision {
        switch mode {
        case .never: return Decision(allowed: false, reason: "cloud mode is never")
        case .prefer: return Decision(allowed: true, reason: "cloud mode is prefer")
        case .fallback:
            // "Not a device command" is no answer to a question; whether it may leave is `questions`' call.
            if request.kind == .question { return Decision(allowed: true, reason: "a free-form question") }
            switch request.localStatus {
            case .unrecognized, .ambiguous:
                return Decision(allowed: true, reason: "local answer is \(request.localStatus.rawValue)")
            case .ok where request.localConfidence < confidenceThreshold:
                return Decision(
                    allowed: true,
                    reason:
                        "local confidence \(Self.format(request.localConfidence)) < \(Self.format(confidenceThreshold))"
                )
            case .ok:
                return Decision(
                    allowed: false,
                    reason: "local answer is ok with confidence "
                        + "\(Self.format(request.localConfidence)) ≥ \(Self.format(confidenceThreshold))")
            case .rejected, .deferred, .expired, .error:
                // A clear command the catalog refused: the cloud would be held to the same catalog.
                return Decision(allowed: false, reason: "local answer is \(request.localStatus.rawValue)")
            }
        }
    }

    /// The full decision: may this request be sent now? `minuteOfDay` is local time (0..<1440).
    public func decide(_ request: Request, usage: Usage, minuteOfDay: Int) -> Decision {
        let need = needsCloud(request)
        guard need.allowed else { return need }
        if request.allowCloud == false {
            return Decision(allowed: false, reason: "the request says allow_cloud: false")
        }
        if request.kind == .question {
            if !questions {
                return Decision(
                    allowed: false, reason: "free-form questions may not leave the device (policy.questions)")
            }
            if meteredLink {
                return Decision(allowed: false, reason: "metered link: only device commands escalate")
            }
        }
        let scope = permits(request.scope)
        guard scope.allowed else { return scope }
        if !timeWindows.isEmpty, !timeWindows.contains(where: { $0.contains(minuteOfDay) }) {
            return Decision(
                allowed: false,
                reason: "outside the time windows \(timeWindows.map(\.description).joined(separator: ", ")) "
                    + "(now \(TimeWindow.clock(minuteOfDay)))")
        }
        if request.payloadBytes > maxPayloadBytes {
            return Decision(
                allowed: false, reason: "payload \(request.payloadBytes) B exceeds the cap of \(maxPayloadBytes) B")
        }
        if let limit = requestsPerDay, usage.requests >= limit {
            return Decision(allowed: false, reason: "daily request budget spent (\(usage.requests)/\(limit))")
        }
        if let limit = tokensPerDay, usage.tokens + request.estimatedTokens > limit {
            return Decision(
                allowed: false,
                reason: "daily token budget spent (\(usage.tokens) used + \(request.estimatedTokens) needed > \(limit))"
            )
        }
        return need
    }

    /// Whether intents, areas and devices are all allowed and none denied; used before sending and again on the
    /// cloud's answer.
    public func permits(_ scope: Scope) -> Decision {
        let rules: [(String, KeyPath<Scope, Set<String>>)] = [
            ("intent", \.intents), ("area", \.areas), ("device", \.devices),
        ]
        for (name, path) in rules {
            for value in scope[keyPath: path].sorted() {
                if deny[keyPath: path].contains(value) {
                    return Decision(allowed: false, reason: "\(name) \(value) is denied by policy")
                }
                if !allow[keyPath: path].isEmpty, !allow[keyPath: path].contains(value) {
                    return Decision(allowed: false, reason: "\(name) \(value) is not in the policy's allow list")
                }
            }
        }
        return Decision(allowed: true, reason: "allowed")
    }

    static func format(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        return "\(hundredths / 100).\(hundredths % 100 < 10 ? "0" : "")\(hundredths % 100)"
    }
}

/// Is the escalation a device command (expires fast) or a free-form question (may wait, may be disallowed)?
public enum EscalationKind: String, Sendable, Codable {
    case deviceCommand = "device_command"
    case question
}

/// A daily window in local time, "HH:MM-HH:MM"; it may wrap past midnight ("22:00-06:00").
public struct TimeWindow: Sendable, Equatable, CustomStringConvertible {
    public var start: Int
    public var end: Int

    public init?(_ text: String) {
        let parts = text.split(separator: "-").map { $0.trimmedWhitespace }
        guard parts.count == 2, let start = Self.minute(parts[0]), let end = Self.minute(parts[1]) else { return nil }
        self.start = start
        self.end = end
    }

    static func minute(_ text: String) -> Int? {
        let hm = text.split(separator: ":")
        guard hm.count == 2, let h = Int(hm[0]), let m = Int(hm[1]), (0...24).contains(h), (0..<60).contains(m),
            h * 60 + m <= 1440
        else { return nil }
        return h * 60 + m
    }

    public func contains(_ minute: Int) -> Bool {
        start <= end ? (minute >= start && minute < end) : (minute >= start || minute < end)
    }

    static func clock(_ minute: Int) -> String {
        let h = minute / 60
        let m = minute % 60
        return (h < 10 ? "0" : "") + "\(h):" + (m < 10 ? "0" : "") + "\(m)"
    }

    public var description: String { Self.clock(start) + "-" + Self.clock(end) }
}

extension CloudPolicy {
    init(_ node: ConfigNode) throws(CloudConfigurationError) {
        try node.check(allowed: [
            "mode", "confidence_threshold", "questions", "allow", "deny", "requests_per_day", "tokens_per_day",
            "max_payload_bytes", "time_windows", "metered_link",
        ])
        self.init()
        if let text = try node.string("mode") {
            guard let mode = Mode(rawValue: text) else {
                throw node.bad("mode", node["mode"]!, "expected never, fallback or prefer")
            }
            self.mode = mode
        }
        if let threshold = try node.double("confidence_threshold", min: 0) {
            guard threshold <= 1 else {
                throw node.bad("confidence_threshold", node["confidence_threshold"]!, "must be 0–1")
            }
            confidenceThreshold = threshold
        }
        questions = try node.bool("questions") ?? questions
        allow = try Self.scope(node.section("allow"))
        deny = try Self.scope(node.section("deny"))
        if node["requests_per_day"] != nil { requestsPerDay = try node.int("requests_per_day", min: 0) }
        if node["tokens_per_day"] != nil { tokensPerDay = try node.int("tokens_per_day", min: 0) }
        maxPayloadBytes = try node.int("max_payload_bytes", min: 1) ?? maxPayloadBytes
        var windows: [TimeWindow] = []
        for text in try node.strings("time_windows") {
            guard let window = TimeWindow(text) else {
                throw node.bad("time_windows", node["time_windows"]!, "'\(text)' is not HH:MM-HH:MM")
            }
            windows.append(window)
        }
        timeWindows = windows
        meteredLink = try node.bool("metered_link") ?? false
    }

    static func scope(_ node: ConfigNode?) throws(CloudConfigurationError) -> Scope {
        guard let node else { return Scope() }
        try node.check(allowed: ["intents", "areas", "devices"])
        let intents = try node.strings("intents")
        for intent in intents where Intent(rawValue: intent) == nil {
            throw node.bad("intents", node["intents"]!, "'\(intent)' is not an intent (e.g. HassTurnOn, HassUnlock)")
        }
        return Scope(
            intents: Set(intents), areas: Set(try node.strings("areas")), devices: Set(try node.strings("devices")))
    }
}
