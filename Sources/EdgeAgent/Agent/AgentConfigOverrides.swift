/// The command line's overrides of the config file (DESIGN.md): `--broker`, `--agent-id`, `--catalog`,
/// `--model`, `--threads`. A bad value is refused like a bad line, with the option as the "file".
public struct AgentConfigOverrides: Sendable, Equatable {
    public var broker: String?
    public var agentID: String?
    public var catalog: String?
    public var model: String?
    public var threads: Int?

    public init(
        broker: String? = nil, agentID: String? = nil, catalog: String? = nil, model: String? = nil,
        threads: Int? = nil
    ) {
        self.broker = broker
        self.agentID = agentID
        self.catalog = catalog
        self.model = model
        self.threads = threads
    }
}

extension AgentConfig {
    public func applying(_ overrides: AgentConfigOverrides) throws(AgentConfigError) -> AgentConfig {
        var config = self
        if let broker = overrides.broker {
            do throws(BrokerURLError) { config.broker.url = try BrokerURL(parsing: broker) } catch {
                throw AgentConfigError(
                    .badValue, file: "--broker", line: 0, key: "broker.url", reason: error.description)
            }
        }
        if let id = overrides.agentID {
            guard Self.isValidID(id) else {
                throw AgentConfigError(
                    .badValue, file: "--agent-id", line: 0, key: "agent.id",
                    reason: "'\(id)' must be 1–64 letters, digits, '-' or '_'")
            }
            config.agent.id = id
        }
        if let catalog = overrides.catalog { config.catalog = catalog }
        if let model = overrides.model { config.model.name = model }
        if let threads = overrides.threads {
            guard (1...256).contains(threads) else {
                throw AgentConfigError(
                    .badValue, file: "--threads", line: 0, key: "model.threads", reason: "\(threads) is outside 1…256")
            }
            config.model.threads = threads
        }
        return config
    }
}
