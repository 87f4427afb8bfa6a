import Foundation
import XCTest

/// Where the tests find the model files and llama.cpp's reference outputs. The default model and the references are
/// required: a missing one fails the test with a message that says where it was looked for. Optional models (Gemma 3)
/// skip their tests, with the command that fetches them, only when the file is absent.
enum TestResources {
    struct Missing: Error, CustomStringConvertible {
        let description: String
    }

    static let smolLM2 = "SmolLM2-135M-Instruct.Q4_1.gguf"
    static let smolLM2Reference = "smollm2-135m-instruct-q4_1.llamacpp.json"
    static let gemma3 = "gemma-3-270m-q4_k_m.gguf"
    static let gemma3Reference = "gemma-3-270m-q4_k_m.llamacpp.json"

    /// The models directory: `$EDGE_AGENT_MODELS`, else `$XDG_CACHE_HOME/edge-agent/models`, else
    /// `$HOME/.cache/edge-agent/models`.
    static var modelsDirectory: String {
        let environment = ProcessInfo.processInfo.environment
        if let directory = environment["EDGE_AGENT_MODELS"], !directory.isEmpty { return directory }
        if let cache = environment["XDG_CACHE_HOME"], !cache.isEmpty { return cache + "/edge-agent/models" }
        return (environment["HOME"] ?? NSHomeDirectory()) + "/.cache/edge-agent/models"
    }

    static func modelPath(_ fileName: String = smolLM2) throws -> String {
        let path = modelsDirectory + "/" + fileName
        guard FileManager.default.fileExists(atPath: path) else {
            throw Missing(
                description: "model file \(fileName) not found at \(path): fetch it with the script in Models/, "
                    + "or point EDGE_AGENT_MODELS at the directory that holds it")
        }
        return path
    }

    /// An optional model (not fetched by default): its tests skip, saying how to fetch it, when the file is absent.
    static func optionalModelPath(_ fileName: String, fetchName: String) throws -> String {
        let path = modelsDirectory + "/" + fileName
        guard FileManager.default.fileExists(atPath: path) else {
            throw XCTSkip("optional model \(fileName) not found at \(path): fetch it with Models/fetch.sh \(fetchName)")
        }
        return path
    }

    /// A file of llama.cpp's reference outputs: in `$EDGE_AGENT_REFERENCE` (a directory), else in the `shared/reference`
    /// directory beside the repository (the repository is checked out as `<dir>/main` next to `<dir>/shared`), found
    /// by walking up from this source file.
    static func referencePath(_ fileName: String = smolLM2Reference, from sourceFile: String = #filePath) throws
        -> String
    {
        let fileManager = FileManager.default
        if let directory = ProcessInfo.processInfo.environment["EDGE_AGENT_REFERENCE"], !directory.isEmpty {
            let path = directory + "/" + fileName
            guard fileManager.fileExists(atPath: path) else {
                throw Missing(description: "reference file \(fileName) not found in EDGE_AGENT_REFERENCE=\(directory)")
            }
            return path
        }
        var directory = URL(fileURLWithPath: sourceFile).deletingLastPathComponent()
        var searched: [String] = []
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("shared/reference/\(fileName)").path
            if fileManager.fileExists(atPath: candidate) { return candidate }
            searched.append(directory.path + "/shared/reference")
            directory.deleteLastPathComponent()
        }
        throw Missing(
            description: "reference file \(fileName) not found in \(searched.joined(separator: ", ")); "
                + "set EDGE_AGENT_REFERENCE to the directory that holds it")
    }
}
