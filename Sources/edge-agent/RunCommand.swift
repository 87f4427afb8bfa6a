import ArgumentParser
import EdgeAgent
import Logging
import ServiceLifecycle

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Serves commands over MQTT: <prefix>cmd in, device actions and <prefix>result out.",
        discussion: """
            Reads the YAML config (default /etc/edge-agent/agent.yaml; Board/agent.yaml is a sample); the options \
            override it. Stops on SIGTERM or SIGINT after publishing its status as offline.
            """)

    static let defaultConfig = "/etc/edge-agent/agent.yaml"
    static let badConfigExitCode: Int32 = 78

    @Option(name: .long, help: "The agent's YAML config.")
    var config: String?

    @Option(name: .long, help: "The broker, mqtt://HOST[:PORT] or mqtts://HOST[:PORT].")
    var broker: String?

    @Option(name: .customLong("agent-id"), help: "The agent's id (topics are edge/<id>/… unless configured).")
    var agentID: String?

    @Option(name: .long, help: "The device catalog YAML.")
    var catalog: String?

    @Option(name: .long, help: "A model name from the manifest, or the path of a GGUF file.")
    var model: String?

    @Option(name: .long, help: "Worker threads for the model.")
    var threads: Int?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"

    func run() async throws {
        let path = config ?? Self.defaultConfig
        var settings: AgentConfig
        do {
            if config == nil && !FileManager.default.fileExists(atPath: path) {
                settings = AgentConfig()
            } else {
                settings = try AgentConfigLoader.load(contentsOf: path)
            }
            settings = try settings.applying(
                AgentConfigOverrides(broker: broker, agentID: agentID, catalog: catalog, model: model, threads: threads)
            )
        } catch {
            // EX_CONFIG: a bad config does not get better by restarting (the systemd unit does not retry it).
            writeError(error.description)
            throw ExitCode(Self.badConfigExitCode)
        }
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw ValidationError("--log-level '\(logLevel)' is not one of \(Logger.Level.allCases.map(\.rawValue))")
        }
        var logger = Logger(label: "edge-agent")
        logger.logLevel = level
        let service: AgentService
        do {
            service = try AgentRuntime.makeService(config: settings, logger: logger)
        } catch let error as AgentStartError {
            writeError(error.description)
            throw ExitCode(memoryRefusalExitCode)
        }
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [.init(service: service)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
