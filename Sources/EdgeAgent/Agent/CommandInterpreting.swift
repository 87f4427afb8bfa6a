/// Text in, a validated interpretation out: what the agent's inference worker runs for each command. Synchronous,
/// and run off the MQTT thread. `Interpreter` (the rules) is one; the language-model path and the cloud
/// escalation will be others, composed in `AgentRuntime.makeInterpreter(config:catalog:memory:)`.
public protocol CommandInterpreting: Sendable {
    func interpret(_ text: String, id: String?) -> Interpretation
}

extension Interpreter: CommandInterpreting {}

/// An interpreter given as a closure: for tests (a slow one fills the queue) and for composing stages.
public struct ClosureInterpreter: CommandInterpreting {
    private let body: @Sendable (String, String?) -> Interpretation

    public init(_ body: @escaping @Sendable (String, String?) -> Interpretation) { self.body = body }

    public func interpret(_ text: String, id: String?) -> Interpretation { body(text, id) }
}
