/// A model opened from a GGUF file: its blueprint and its weights, read-only and shareable between sessions.
public final class Model: @unchecked Sendable {
    public let file: GGUFFile
    public let config: ModelConfig
    public let weights: ModelWeights

    public convenience init(path: String) throws {
        try self.init(file: GGUFFile(path: path))
    }

    public init(file: GGUFFile) throws {
        self.file = file
        config = try ModelConfig(gguf: file)
        weights = try ModelWeights(gguf: file, config: config)
    }

    public var path: String { file.map.path }
    public var fileSize: Int { file.map.bytes.count }
}
