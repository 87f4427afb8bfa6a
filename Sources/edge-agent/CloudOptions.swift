import ArgumentParser
import Dispatch
import EdgeAgent

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Where the cloud section is: a config file with a `cloud:` key, or the section alone.
struct CloudOptions: ParsableArguments {
    static let defaultConfig = "/etc/edge-agent/agent.yaml"

    @Option(name: .long, help: "The config file with the cloud section. Default: /etc/edge-agent/agent.yaml.")
    var cloudConfig: String?

    func configuration() throws -> CloudConfiguration {
        try CloudConfiguration(contentsOf: cloudConfig ?? Self.defaultConfig)
    }

    /// The store alone (outbox, budgets, learned commands): the `outbox` and `learned` commands need no endpoint.
    func store() throws -> CloudStore {
        let configuration = try configuration()
        return try CloudStore(path: configuration.statePath, outboxSettings: configuration.outbox)
    }
}

/// Runs async work from a synchronous command (the CLI's root command is synchronous).
func runBlocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    nonisolated(unsafe) var outcome: Result<T, any Error>?
    let done = DispatchSemaphore(value: 0)
    Task {
        do { outcome = .success(try await body()) } catch { outcome = .failure(error) }
        done.signal()
    }
    done.wait()
    return try outcome!.get()
}
