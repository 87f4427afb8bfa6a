import Logging
import MQTT

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Builds the running agent from its config: the interpreter, the MQTT client, the memory gate and the service.
public enum AgentRuntime {
    public static let version = "0.1.0"

    /// The one place the interpreter is composed: the catalog's rules first (relative set-points from `states`),
    /// then, with `interpreter.slm`, the language model for what the rules leave unrecognized — unless the memory
    /// guard is above its soft mark, when the answer is `rejected`, reason `memory`, and the rules keep serving.
    public static func makeInterpreter(
        config: AgentConfig, catalog: Catalog, memory: MemoryGate, states: DeviceStates? = nil,
        model: SLMInterpreter? = nil
    ) -> any CommandInterpreting {
        var interpreter = Interpreter(catalog: catalog, model: model, states: states)
        interpreter.modelGate = { id in memory.rejectionForModelWork(id: id) }
        return interpreter
    }

    /// The language model for `interpreter.slm`, loaded after admission: the configured (or the board's) context,
    /// shortened when the memory budget cannot hold it; a refusal throws `AgentStartError.memory` (exit 75).
    public static func loadModel(
        config: AgentConfig, catalog: Catalog, board: BoardProfile?, logger: Logger
    ) throws -> SLMInterpreter? {
        guard config.interpreter.slm else { return nil }
        var context = config.model.contextLength
        if let board {
            let check = try memoryCheck(config: config, board: board)
            switch check.verdict {
            case .fits: break
            case .shrunk(let estimate, _, let reason):
                logger.warning(
                    "Shorter context to fit the memory budget",
                    metadata: ["model.context": "\(estimate.contextLength)", "memory.reason": "\(reason)"])
                context = estimate.contextLength
            case .refused(_, let message):
                throw AgentStartError.memory(message)
            }
        }
        let local = try LocalModel(
            config.model.name ?? board?.model, threads: config.model.threads ?? board?.threads, contextLength: context)
        var options = SLMInterpreter.Options()
        options.threshold = config.interpreter.confidenceThreshold
        let interpreter = try SLMInterpreter(catalog: catalog, model: local, options: options)
        logger.info(
            "Language model ready",
            metadata: [
                "model.path": "\(local.path)", "model.context": "\(context)",
                "model.load_s": "\(local.loadSeconds)",
            ])
        return interpreter
    }

    /// The admission `run` makes before loading the model, and `check --config` prints: the config's model,
    /// context (the interpreter's default when it gives none), threads and budget, the board's for the rest.
    public static func memoryCheck(config: AgentConfig, board: BoardProfile, root: String = "") throws -> MemoryCheck {
        try MemoryCheck(
            board: board, model: config.model.name,
            contextLength: config.model.contextLength, threads: config.model.threads,
            budgetBytes: config.limits.memoryBudgetBytes, root: root)
    }

    /// The client's settings from the config: the password is read here, from its file or variable, and goes
    /// no further than libmosquitto. The will and the birth make the retained `status` topic.
    public static func mqttConfiguration(_ config: AgentConfig) throws(MQTTError) -> MQTTConfiguration {
        let broker = config.broker
        let topics = AgentTopics(prefix: config.agent.prefix)
        var credentials: MQTTCredentials?
        if let username = broker.username {
            var password: String?
            if let file = broker.passwordFile { password = try MQTTCredentials.password(fromFile: file) }
            if let name = broker.passwordEnvironment { password = try MQTTCredentials.password(fromEnvironment: name) }
            credentials = MQTTCredentials(username: username, password: password)
        }
        var tls: MQTTTLS?
        if broker.url.tls {
            tls = MQTTTLS(
                caFile: broker.tls.caFile, certificateFile: broker.tls.certificateFile, keyFile: broker.tls.keyFile,
                verifyPeer: broker.tls.verify)
        }
        return MQTTConfiguration(
            host: broker.url.host, port: broker.url.port, clientID: broker.clientID ?? "edge-agent-\(config.agent.id)",
            protocolVersion: broker.protocolVersion == .v5 ? .v5 : .v311, keepAlive: broker.keepAlive,
            cleanSession: broker.cleanSession, sessionExpiryInterval: broker.sessionExpiry, credentials: credentials,
            tls: tls,
            will: MQTTMessage(topic: topics.status, text: "offline", qos: .atLeastOnce, retain: true),
            birth: MQTTMessage(topic: topics.status, text: "online", qos: .atLeastOnce, retain: true),
            backoff: MQTTBackoff(minimum: .seconds(1), maximum: .seconds(broker.reconnectMaximum)),
            // Queries wait in libmosquitto's buffer for the worker's queue, which answers `busy` past its bound.
            incomingBufferLimit: max(64, config.limits.queueCapacity * 4))
    }

    /// The service for `config`, with `interpreter` in place of `makeInterpreter`'s when given (tests).
    public static func makeService(
        config: AgentConfig, logger: Logger, interpreter: (any CommandInterpreting)? = nil
    ) throws -> AgentService {
        let catalog = try Catalog(contentsOf: config.catalog)
        let catalogBytes = FileManager.default.contents(atPath: config.catalog).map { Array($0) } ?? []
        let board = try boardProfile(config)
        let budget = try? MemoryBudget.measure(
            configBytes: config.limits.memoryBudgetBytes, boardProfileBytes: board?.memoryLimitBytes,
            reserveBytes: board?.reserveBytes ?? 0)
        let memory = MemoryGate(
            marks: MemoryMarks(budgetBytes: budget?.bytes ?? (1 << 30)), logger: logger)
        let model = config.model.name ?? board?.model ?? "default"
        var capabilities = ["rules", "hermes-nlu", "device-state"]
        if config.interpreter.slm { capabilities.append("slm") }
        if config.homeAssistant.discovery { capabilities.append("ha-discovery") }
        if config.cloud != nil { capabilities.append("cloud") }
        let identity = AgentReports.Identity(
            agentID: config.agent.id, version: version, model: model,
            catalogHash: AgentReports.contentHash(catalogBytes), capabilities: capabilities, board: board?.name)
        let client = try MQTTClient(mqttConfiguration(config), logger: logger)
        let states = DeviceStates(catalog: catalog)
        let chosen =
            try interpreter
            ?? makeInterpreter(
                config: config, catalog: catalog, memory: memory, states: states,
                model: loadModel(config: config, catalog: catalog, board: board, logger: logger))
        let escalator = try config.cloud.map { try $0.escalator(catalog: catalog, logger: logger) }
        return AgentService(
            config: config, catalog: catalog, states: states, interpreter: chosen, escalator: escalator,
            client: client, identity: identity, memory: memory, budgetBytes: budget?.bytes, logger: logger,
            systemd: SystemdNotifier(environment: ProcessInfo.processInfo.environment),
            spoolFile: SpoolStore.open(path: config.spoolPath, logger: logger))
    }

    /// The named board profile; without a name, the detected one, or none when detection finds nothing.
    static func boardProfile(_ config: AgentConfig) throws -> BoardProfile? {
        let store = BoardProfileStore()
        if let name = config.agent.board { return try store.profile(named: name) }
        return try? store.detect()
    }
}
