/// The agent's own topics under its prefix (DESIGN.md): `cmd` in; `result`, `status`, `birth`, `telemetry` out.
public struct AgentTopics: Sendable, Equatable {
    public let prefix: String

    public init(prefix: String) { self.prefix = prefix }

    public var command: String { prefix + "cmd" }
    public var result: String { prefix + "result" }
    /// Retained `online` / `offline`: plain words, as Home Assistant's availability expects.
    public var status: String { prefix + "status" }
    /// Retained JSON describing the running agent (version, model, catalog hash, capabilities).
    public var birth: String { prefix + "birth" }
    public var telemetry: String { prefix + "telemetry" }
}
