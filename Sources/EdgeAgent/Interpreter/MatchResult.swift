/// What the fast path decided for one command, before validation.
public struct MatchResult: Equatable, Sendable {
    public enum Status: String, Sendable {
        /// The actions are clear: verb, targets and value all grounded in the words.
        case ok
        /// The words name a target that fits several devices; `candidates` lists them.
        case ambiguous
        /// The matcher is not sure; the model (or the cloud) should decide.
        case unrecognized
        /// A clear command for something the catalog does not have ("turn on the dishwasher"); `reason` names it.
        case rejected
    }

    public var status: Status
    /// For `ok`: the actions to validate; `NotACommand` for chit-chat, `HassGetState` for questions.
    public var actions: [Action]
    /// For `ambiguous`: the device ids the words could mean.
    public var candidates: [String]
    /// In [0, 1]: high only when every slot came from the words.
    public var confidence: Double
    public var reason: String?

    static func unrecognized(_ reason: String, confidence: Double = 0.2) -> MatchResult {
        MatchResult(status: .unrecognized, actions: [], candidates: [], confidence: confidence, reason: reason)
    }

    static func ok(_ actions: [Action], confidence: Double) -> MatchResult {
        MatchResult(status: .ok, actions: actions, candidates: [], confidence: confidence, reason: nil)
    }

    /// The words ask nothing of a device ("thanks!", "set a timer"); `reason` says why.
    static func notACommand(_ reason: String, confidence: Double) -> MatchResult {
        MatchResult(status: .ok, actions: [Action(.notACommand)], candidates: [], confidence: confidence, reason: reason)
    }

    /// Clear, and asking for a change rather than answering "not a command".
    var isCommand: Bool { status == .ok && !actions.contains { $0.intent == .notACommand } }

    static func ambiguous(_ candidates: [String], _ reason: String) -> MatchResult {
        MatchResult(status: .ambiguous, actions: [], candidates: candidates, confidence: 0.5, reason: reason)
    }
}
