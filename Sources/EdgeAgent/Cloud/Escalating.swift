import Logging

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What the agent and `edge-agent ask` need of the cloud half: the answer to a command the local interpreter
/// answered, the outbox's late answers, and a clean stop. `CloudEscalator` is the one implementation; the seam lets
/// a build without the package's Cloud trait (no AsyncHTTPClient, no SwiftNIO) compile the same agent.
public protocol Escalating: Sendable {
    func escalate(text: String, local: Interpretation, request: EscalationRequest) async -> Interpretation
    /// Answers what waits in the outbox while the link allows, until cancelled.
    func run(deliver: @Sendable (ReplyRoute, Interpretation) async -> Void, pollInterval: Duration) async
    func shutdown() async
}

extension CloudConfiguration {
    /// Whether this build can escalate at all: the package's Cloud trait, on by default.
    #if Cloud
        public static let isAvailable = true
    #else
        public static let isAvailable = false
    #endif

    /// The escalator for this section; in a build without the Cloud trait, `notInThisBuild`.
    public func escalator(
        catalog: Catalog, environment: [String: String] = ProcessInfo.processInfo.environment,
        logger: Logger = Logger(label: "edge-agent.cloud")
    ) throws -> any Escalating {
        #if Cloud
            try CloudEscalator(configuration: self, catalog: catalog, environment: environment, logger: logger)
        #else
            throw CloudConfigurationError.notInThisBuild(file: "", line: 0)
        #endif
    }
}
