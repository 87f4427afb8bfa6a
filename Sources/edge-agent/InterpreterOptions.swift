import ArgumentParser
import EdgeAgent

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// How `ask` and `eval` build their interpreter: the catalog and the devices' known states.
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
        Interpreter(catalog: try loadCatalog(), states: try loadStates())
    }
}
