/// The blueprint of a model: its hyperparameters, read from the GGUF metadata of its architecture.
public struct ModelConfig: Sendable, Equatable {
    public var architecture: String
    public var layerCount: Int
    /// The context length the model was trained for.
    public var trainedContextLength: Int
    /// Width of the residual stream.
    public var embeddingLength: Int
    public var feedForwardLength: Int
    public var headCount: Int
    public var kvHeadCount: Int
    public var headDimension: Int
    public var rmsEpsilon: Float
    public var ropeBase: Float
    public var vocabularySize: Int

    public var queryDimension: Int { headCount * headDimension }
    public var kvDimension: Int { kvHeadCount * headDimension }

    public static let supportedArchitectures = ["llama"]

    public init(gguf: GGUFFile) throws {
        let arch = try gguf.string(GGUFKey.architecture)
        guard Self.supportedArchitectures.contains(arch) else { throw GGUFError.unsupportedArchitecture(arch) }
        architecture = arch
        layerCount = try Self.positive(gguf, GGUFKey.blockCount(arch))
        trainedContextLength = try Self.positive(gguf, GGUFKey.contextLength(arch))
        embeddingLength = try Self.positive(gguf, GGUFKey.embeddingLength(arch))
        feedForwardLength = try Self.positive(gguf, GGUFKey.feedForwardLength(arch))
        headCount = try Self.positive(gguf, GGUFKey.headCount(arch))
        kvHeadCount = try gguf.optionalInt(GGUFKey.headCountKV(arch)) ?? headCount
        guard kvHeadCount > 0, kvHeadCount <= headCount, headCount % kvHeadCount == 0 else {
            throw GGUFError.invalidValue(
                key: GGUFKey.headCountKV(arch), value: "\(kvHeadCount)",
                reason: "must divide the head count \(headCount)")
        }
        guard embeddingLength % headCount == 0 else {
            throw GGUFError.invalidValue(
                key: GGUFKey.headCount(arch), value: "\(headCount)",
                reason: "must divide the embedding length \(embeddingLength)")
        }
        headDimension = try gguf.optionalInt(GGUFKey.keyLength(arch)) ?? embeddingLength / headCount
        guard headDimension % 2 == 0, headDimension > 0, headDimension <= Self.largestDimension else {
            throw GGUFError.invalidValue(
                key: GGUFKey.keyLength(arch), value: "\(headDimension)",
                reason: "must be even and at most \(Self.largestDimension)")
        }
        if let valueLength = try gguf.optionalInt(GGUFKey.valueLength(arch)), valueLength != headDimension {
            throw GGUFError.invalidValue(
                key: GGUFKey.valueLength(arch), value: "\(valueLength)",
                reason: "must equal the key length \(headDimension)")
        }
        if let ropeDimensions = try gguf.optionalInt(GGUFKey.ropeDimensionCount(arch)), ropeDimensions != headDimension {
            throw GGUFError.invalidValue(
                key: GGUFKey.ropeDimensionCount(arch), value: "\(ropeDimensions)",
                reason: "partial rotary embeddings are not supported (head dimension \(headDimension))")
        }
        if let scaling = try gguf.optionalString(GGUFKey.ropeScalingType(arch)), scaling != "none" {
            throw GGUFError.invalidValue(
                key: GGUFKey.ropeScalingType(arch), value: scaling, reason: "RoPE scaling is not supported yet")
        }
        rmsEpsilon = try gguf.float(GGUFKey.rmsEpsilon(arch))
        ropeBase = try gguf.optionalFloat(GGUFKey.ropeFreqBase(arch)) ?? 10_000
        if gguf.metadata[GGUFKey.vocabSize(arch)] != nil {
            vocabularySize = try Self.positive(gguf, GGUFKey.vocabSize(arch))
        } else if gguf.metadata[GGUFKey.tokens] != nil {
            vocabularySize = try gguf.arrayCount(GGUFKey.tokens)
        } else {
            throw GGUFError.missingKey(GGUFKey.vocabSize(arch))
        }
    }

    /// A bound on every size in the blueprint, far above any model this engine can run, so that products of sizes
    /// from a corrupt file cannot overflow.
    static let largestDimension = 1 << 24

    private static func positive(_ gguf: GGUFFile, _ key: String) throws -> Int {
        let value = try gguf.int(key)
        guard value > 0 && value <= largestDimension else {
            throw GGUFError.invalidValue(
                key: key, value: "\(value)", reason: "must be between 1 and \(largestDimension)")
        }
        return value
    }
}
