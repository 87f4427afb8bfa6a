/// A labelled set scored against an interpreter: exact match of intents and slots, false actuations, latency.
///
/// Exact means: the status agrees, and for `ok` the actions agree as sets of (intent, devices after expansion,
/// value, unit, colour) — value, unit and colour only where the label states them, so "turn off the kitchen and hall
/// lights" matches whether it came as one action or two.
public struct Evaluation: Sendable {
    public struct Outcome: Sendable {
        public var command: LabelledCommand
        public var result: Interpretation
        public var exact: Bool
        /// Something was published for a text whose label publishes nothing.
        public var falseActuation: Bool
        /// Something was published, but not what the label says.
        public var wrongActuation: Bool
    }

    public private(set) var outcomes: [Outcome] = []

    public init() {}

    public mutating func add(_ command: LabelledCommand, _ result: Interpretation) {
        let exact = Self.matches(result, command.expected)
        let actuated = !result.actions.isEmpty
        outcomes.append(
            Outcome(
                command: command, result: result, exact: exact,
                falseActuation: actuated && !command.actuates,
                wrongActuation: actuated && command.actuates && !exact))
    }

    public static func matches(_ result: Interpretation, _ expected: LabelledCommand.Expected) -> Bool {
        guard result.status == expected.status else { return false }
        guard expected.status == .ok else { return result.actions.isEmpty }
        let got = Set(merged(result.resolved).map { Key($0, like: nil) })
        let want = merged(expected.actions)
        guard got.count == want.count else { return false }
        let gotActions = merged(result.resolved)
        return want.allSatisfy { label in gotActions.contains { Key($0, like: label) == Key(label, like: nil) } }
    }

    /// Actions with the same intent and values become one, their devices joined.
    static func merged(_ actions: [Action]) -> [Action] {
        var out: [Action] = []
        for action in actions {
            if let i = out.firstIndex(where: {
                $0.intent == action.intent && $0.value == action.value && $0.unit == action.unit
                    && $0.color == action.color
            }) {
                out[i].devices += action.devices.filter { !out[i].devices.contains($0) }
            } else {
                out.append(action)
            }
        }
        return out
    }

    /// What is compared of an action; with `like`, only the slots that label states.
    struct Key: Hashable {
        var intent: Intent
        var devices: Set<String>
        var value: Double?
        var unit: ValueUnit?
        var color: String?

        init(_ action: Action, like label: Action?) {
            intent = action.intent
            devices = Set(action.devices)
            value = label == nil || label?.value != nil ? action.value.map { ($0 * 100).rounded() / 100 } : nil
            unit = label == nil || label?.unit != nil ? action.unit : nil
            color = label == nil || label?.color != nil ? action.color.map { $0.lowercased() } : nil
        }
    }

    // MARK: Figures

    public struct Share: Encodable, Sendable {
        public var hits: Int
        public var total: Int
        public var rate: Double { total == 0 ? 0 : Double(hits) / Double(total) }

        enum CodingKeys: String, CodingKey { case hits, total, rate }
        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(hits, forKey: .hits)
            try c.encode(total, forKey: .total)
            try c.encode((rate * 10000).rounded() / 10000, forKey: .rate)
        }
    }

    public struct Report: Encodable, Sendable {
        public var commands: Int
        public var exact: Share
        /// Labels that publish something.
        public var deviceCommands: Share
        /// Questions about a device's state.
        public var questions: Share
        /// Labels that publish nothing: chit-chat, questions, ambiguous and impossible requests.
        public var nonCommands: Share
        public var falseActuations: Share
        public var wrongActuations: Int
        public var perIntent: [String: Share]
        public var perTag: [String: Share]
        public var via: [String: Int]
        public var latencyMs: Latency
        /// Latency of the commands each way answered (rules, slm): the model path's own.
        public var latencyMsByVia: [String: Latency]
    }

    public struct Latency: Encodable, Sendable {
        public var p50: Double
        public var p95: Double
        public var max: Double
    }

    public var report: Report {
        func share(_ subset: [Outcome]) -> Share { Share(hits: subset.filter(\.exact).count, total: subset.count) }
        var perIntent: [String: [Outcome]] = [:]
        var perTag: [String: [Outcome]] = [:]
        var via: [String: Int] = [:]
        for outcome in outcomes {
            perIntent[outcome.command.category, default: []].append(outcome)
            for tag in outcome.command.tags { perTag[tag, default: []].append(outcome) }
            via[outcome.result.via, default: 0] += 1
        }
        func latency(_ subset: [Outcome]) -> Latency {
            let latencies = subset.map(\.result.latencyMs).sorted()
            func percentile(_ p: Double) -> Double {
                guard !latencies.isEmpty else { return 0 }
                let rank = Int((p * Double(latencies.count)).rounded(.up)) - 1
                return (latencies[Swift.min(Swift.max(rank, 0), latencies.count - 1)] * 1000).rounded() / 1000
            }
            return Latency(p50: percentile(0.5), p95: percentile(0.95), max: percentile(1))
        }
        let questions = outcomes.filter {
            $0.command.expected.status == .ok && $0.command.expected.actions.contains { $0.intent == .getState }
        }
        let nonCommands = outcomes.filter { !$0.command.actuates }
        return Report(
            commands: outcomes.count,
            exact: share(outcomes),
            deviceCommands: share(outcomes.filter(\.command.actuates)),
            questions: share(questions),
            nonCommands: share(nonCommands),
            falseActuations: Share(hits: nonCommands.filter(\.falseActuation).count, total: nonCommands.count),
            wrongActuations: outcomes.filter(\.wrongActuation).count,
            perIntent: perIntent.mapValues(share),
            perTag: perTag.mapValues(share),
            via: via,
            latencyMs: latency(outcomes),
            latencyMsByVia: Dictionary(grouping: outcomes, by: \.result.via).mapValues(latency))
    }
}
