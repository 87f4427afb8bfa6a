/// The blueprint of a model: its hyperparameters, read from the GGUF metadata of its architecture.
///
/// Two architectures: "llama" (pre-norm blocks, SwiGLU, RoPE on adjacent pairs) and "gemma3" (embeddings scaled by
/// sqrt(width), per-head query and key norms, norms after each sub-layer too, GELU-gated feed-forward, RoPE on head
/// halves, and sliding-window layers interleaved with global ones, each kind with its own RoPE base). Where a gemma3
/// file leaves out a hyperparameter, the architecture's own value applies, as llama.cpp applies it.
public struct ModelConfig: Sendable, Equatable {
    public enum Family: Sendable, Equatable {
        case llama
        case gemma3
    }

    public var architecture: String
    public var family: Family
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
    /// RoPE base of the global layers (all layers of a model without sliding windows).
    public var ropeBase: Float
    public var vocabularySize: Int
    /// Positions a sliding-window layer sees, itself included; nil when every layer is global.
    public var slidingWindow: Int?
    /// With a sliding window, every `globalLayerInterval`-th layer (the last of each run) attends globally.
    public var globalLayerInterval: Int
    /// RoPE base of the sliding-window layers.
    public var slidingWindowRopeBase: Float
    /// The factor on attention logits: 1 / sqrt(head dimension) unless the file says otherwise.
    public var attentionScale: Float
    /// The factor on token embeddings (sqrt(width) for Gemma).
    public var embeddingScale: Float

    public var queryDimension: Int { headCount * headDimension }
    public var kvDimension: Int { kvHeadCount * headDimension }

    /// Whether `layer` attends only to the last `slidingWindow` positions.
    public func usesSlidingWindow(_ layer: Int) -> Bool {
        slidingWindow != nil && (layer + 1) % globalLayerInterval != 0
    }

    public static let supportedArchitectures = ["llama", "gemma3"]

    public init(gguf: GGUFFile) throws {
        let arch = try gguf.string(GGUFKey.architecture)
        guard Self.supportedArchitectures.contains(arch) else { throw GGUFError.unsupportedArchitecture(arch) }
        architecture = arch
        family = arch == "gemma3" ? .gemma3 : .llama
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
        guard family == .gemma3 || embeddingLength % headCount == 0 else {
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
        attentionScale = try gguf.optionalFloat(GGUFKey.attentionScale(arch)) ?? 1 / Float(headDimension).squareRoot()
        guard attentionScale.isFinite && attentionScale > 0 else {
            throw GGUFError.invalidValue(
                key: GGUFKey.attentionScale(arch), value: "\(attentionScale)", reason: "must be positive")
        }
        switch family {
        case .llama:
            slidingWindow = nil
            globalLayerInterval = 1
            slidingWindowRopeBase = ropeBase
            embeddingScale = 1
        case .gemma3:
            // Gemma 3's defaults: five sliding-window layers, then one global; RoPE base 10,000 in the windows.
            slidingWindow = try gguf.optionalInt(GGUFKey.slidingWindow(arch))
            if let window = slidingWindow, window <= 0 {
                throw GGUFError.invalidValue(
                    key: GGUFKey.slidingWindow(arch), value: "\(window)", reason: "must be positive")
            }
            globalLayerInterval = try gguf.optionalInt(GGUFKey.slidingWindowPattern(arch)) ?? 6
            guard globalLayerInterval > 0 else {
                throw GGUFError.invalidValue(
                    key: GGUFKey.slidingWindowPattern(arch), value: "\(globalLayerInterval)", reason: "must be positive")
            }
            slidingWindowRopeBase = try gguf.optionalFloat(GGUFKey.ropeFreqBaseSlidingWindow(arch)) ?? 10_000
            embeddingScale = Float(embeddingLength).squareRoot()
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
