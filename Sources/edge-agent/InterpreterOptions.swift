import ArgumentParser
import EdgeAgent

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// How `ask` and `eval` build their interpreter: the catalog, the devices' known states, and the local model.
struct InterpreterOptions: ParsableArguments {
    static let defaultCatalogs = ["Board/catalog/home.yaml", "/etc/edge-agent/catalog.yaml"]

    @Option(name: .long, help: "The catalog YAML. Default: Board/catalog/home.yaml, else /etc/edge-agent/catalog.yaml.")
    var catalog: String?

    @Option(
        name: .long,
        help: """
            Device states as JSON {"<device id>": <state>, …}, as their state topics last reported them; \
            relative set-points ("warmer") start from these.
            """)
    var states: String?

    @Option(
        name: .long,
        help: """
            The model for what the matcher cannot decide: a manifest name or a GGUF path. Default: the manifest's \
            default model, if fetched.
            """)
    var model: String?

    @Flag(name: [.customLong("rules-only"), .customLong("no-slm")], help: "The fast-path matcher only; no model is loaded.")
    var rulesOnly = false

    @Flag(name: .long, help: "Send every command to the model, skipping the matcher (for comparing the two).")
    var noFastPath = false

    @Option(name: .long, help: "Worker threads for the model. Default: the number of cores.")
    var threads: Int?

    @Flag(name: .long, help: "Do not read or write the evaluated prompt prefix on disk.")
    var noPrefixCache = false

    func validate() throws {
        if rulesOnly && (model != nil || noFastPath) {
            throw ValidationError("--rules-only excludes --model and --no-fast-path")
        }
        if let threads, threads < 1 || threads > 256 {
            throw ValidationError("--threads must be between 1 and 256, got \(threads)")
        }
    }

    /// The model named, else the default one if it is in the cache; nil for rules only.
    func loadModel(_ catalog: Catalog) throws -> SLMInterpreter? {
        if rulesOnly { return nil }
        if model == nil {
            do {
                _ = try ModelStore().resolve(nil)
            } catch {
                if noFastPath { throw ValidationError("--no-fast-path needs a model: \(error)") }
                PrefixCache.logToStandardError("rules only (\(error))")
                return nil
            }
        }
        var options = SLMInterpreter.Options()
        if noPrefixCache { options.prefixCache = nil }
        return try SLMInterpreter(catalog: catalog, model: LocalModel(model, threads: threads), options: options)
    }

    func loadCatalog() throws -> Catalog {
        if let catalog { return try Catalog(contentsOf: catalog) }
        for path in Self.defaultCatalogs where FileManager.default.fileExists(atPath: path) {
            return try Catalog(contentsOf: path)
        }
        throw ValidationError(
            "no catalog: tried \(Self.defaultCatalogs.joined(separator: " and ")); give one with --catalog FILE")
    }

    func loadStates() throws -> DeviceStateSnapshot? {
        guard let states else { return nil }
        guard let data = FileManager.default.contents(atPath: states) else {
            throw ValidationError("cannot read the states file '\(states)'")
        }
        do {
            return DeviceStateSnapshot(try JSONDecoder().decode([String: JSONValue].self, from: data))
        } catch {
            throw ValidationError("the states file '\(states)' is not a JSON object of device states: \(error)")
        }
    }

    func makeInterpreter() throws -> Interpreter {
        let catalog = try loadCatalog()
        return Interpreter(
            catalog: catalog, model: try loadModel(catalog), fastPath: !noFastPath, states: try loadStates())
    }
}
