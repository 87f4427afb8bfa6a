import SLMKernels

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

public enum SessionError: Error, CustomStringConvertible, Equatable {
    case contextFull(position: Int, adding: Int, contextLength: Int)
    case tokenOutOfRange(token: Int32, vocabularySize: Int)
    case invalidContextLength(Int, trained: Int)
    case rewindBeyondPosition(requested: Int, position: Int)
    case emptyInput

    public var description: String {
        switch self {
        case .contextFull(let position, let adding, let length):
            "the context is full: \(position) tokens held, \(adding) more do not fit in \(length)"
        case .tokenOutOfRange(let token, let size): "token id \(token) is outside the vocabulary (0..<\(size))"
        case .invalidContextLength(let length, let trained):
            "context length \(length) is invalid (the model was trained for \(trained))"
        case .rewindBeyondPosition(let requested, let position):
            "cannot rewind to position \(requested): the session holds \(position) tokens"
        case .emptyInput: "no tokens to evaluate"
        }
    }
}

/// What changes while a model runs: the KV cache and the scratch buffers of the forward pass, all allocated once
/// when the session is made; evaluating a token allocates nothing.
///
/// The cache holds the first `position` tokens. `rewind(to:)` keeps a prefix (such as an evaluated system prompt)
/// and drops the rest, so the next evaluation continues from there.
public final class Session {
    public let model: Model
    public let contextLength: Int
    /// Tokens evaluated in one forward pass at most; longer inputs are evaluated in chunks of this size.
    public let batchCapacity: Int
    public let pool: ThreadPool
    public internal(set) var position = 0

    // The KV cache in half floats: (layer, kvHead, contextLength, headDim) each, so that attention reads one KV
    // head's positions as one contiguous run.
    let keyCache: UnsafeMutablePointer<UInt16>
    let valueCache: UnsafeMutablePointer<UInt16>

    // Scratch for a batch of up to `batchCapacity` tokens; each row is one token.
    let x: UnsafeMutablePointer<Float>  // residual stream (batch, dim)
    let xb: UnsafeMutablePointer<Float>  // normalized input of a sub-layer, and its output (batch, dim)
    let q: UnsafeMutablePointer<Float>  // queries (batch, qDim)
    let k: UnsafeMutablePointer<Float>  // keys (batch, kvDim)
    let v: UnsafeMutablePointer<Float>  // values (batch, kvDim)
    let attention: UnsafeMutablePointer<Float>  // attention output (batch, qDim)
    let gate: UnsafeMutablePointer<Float>  // feed-forward gate, then the gated activation (batch, ffn)
    let up: UnsafeMutablePointer<Float>  // feed-forward up projection (batch, ffn)
    let quantized: UnsafeMutablePointer<slm_block_q8>  // a sub-layer input as 8-bit blocks (batch, width / 32)
    let scores: UnsafeMutablePointer<Float>  // attention scores of a head group, per thread (threads, group, context)
    // cos and sin for each position of the batch, for the global layers then the sliding-window ones (2, batch,
    // headDim), from the inverse frequencies of each RoPE base (2, headDim / 2).
    let ropeAngles: UnsafeMutablePointer<Float>
    let inverseFrequencies: [Float]
    /// The next-token logits after the last evaluated token (vocabularySize).
    public let logits: UnsafeMutableBufferPointer<Float>
    /// The parallel step the pool is running (see Forward.swift).
    var step = ForwardStep.idle

    public init(model: Model, contextLength: Int? = nil, pool: ThreadPool, batchCapacity: Int = 64) throws {
        let c = model.config
        let length = contextLength ?? min(c.trainedContextLength, 2048)
        guard length > 0 && length <= c.trainedContextLength else {
            throw SessionError.invalidContextLength(length, trained: c.trainedContextLength)
        }
        self.model = model
        self.contextLength = length
        self.pool = pool
        self.batchCapacity = max(1, batchCapacity)

        let cacheCount = c.layerCount * length * c.kvDimension
        keyCache = .allocate(capacity: cacheCount)
        valueCache = .allocate(capacity: cacheCount)

        let b = self.batchCapacity
        func floats(_ count: Int) -> UnsafeMutablePointer<Float> {
            let p = UnsafeMutablePointer<Float>.allocate(capacity: count)
            p.initialize(repeating: 0, count: count)
            return p
        }
        x = floats(b * c.embeddingLength)
        xb = floats(b * c.embeddingLength)
        q = floats(b * c.queryDimension)
        k = floats(b * c.kvDimension)
        v = floats(b * c.kvDimension)
        attention = floats(b * c.queryDimension)
        gate = floats(b * c.feedForwardLength)
        up = floats(b * c.feedForwardLength)
        quantized = .allocate(capacity: b * max(c.embeddingLength, c.queryDimension, c.feedForwardLength) / Int(SLM_QK))
        scores = floats(pool.threadCount * (c.headCount / c.kvHeadCount) * length)
        ropeAngles = floats(2 * b * c.headDimension)
        logits = UnsafeMutableBufferPointer(start: floats(c.vocabularySize), count: c.vocabularySize)
        // theta_i = base^(-2i / headDim), the rotation speed of pair i.
        inverseFrequencies = [c.ropeBase, c.slidingWindowRopeBase].flatMap { base in
            (0..<c.headDimension / 2).map { Float(pow(Double(base), -2.0 * Double($0) / Double(c.headDimension))) }
        }
    }

    deinit {
        keyCache.deallocate()
        valueCache.deallocate()
        for buffer in [x, xb, q, k, v, attention, gate, up, scores, ropeAngles, logits.baseAddress!] {
            buffer.deallocate()
        }
        quantized.deallocate()
    }

    /// Bytes of KV cache this session holds for its whole context.
    public var kvCacheBytes: Int { Self.kvCacheBytes(config: model.config, contextLength: contextLength) }

    /// Keys and values in half floats: (layer, kvHead, contextLength, headDim) each.
    public static func kvCacheBytes(config c: ModelConfig, contextLength: Int) -> Int {
        2 * c.layerCount * contextLength * c.kvDimension * MemoryLayout<UInt16>.size
    }

    /// Bytes of the scratch buffers `init` allocates, for memory admission before a session exists.
    public static func scratchBytes(config c: ModelConfig, contextLength: Int, threads: Int, batchCapacity: Int) -> Int {
        let b = max(1, batchCapacity)
        var floats = 2 * b * c.embeddingLength  // x, xb
        floats += 2 * b * c.queryDimension  // q, attention
        floats += 2 * b * c.kvDimension  // k, v
        floats += 2 * b * c.feedForwardLength  // gate, up
        floats += threads * (c.headCount / c.kvHeadCount) * contextLength  // scores
        floats += 2 * b * c.headDimension  // ropeAngles
        floats += c.vocabularySize  // logits
        floats += c.headDimension  // inverseFrequencies
        let blocks = b * max(c.embeddingLength, c.queryDimension, c.feedForwardLength) / Int(SLM_QK)  // quantized
        return floats * MemoryLayout<Float>.size + blocks * MemoryLayout<slm_block_q8>.size
    }

    /// Drops every token after the first `position`, keeping their cache entries.
    public func rewind(to position: Int) throws {
        guard position >= 0 && position <= self.position else {
            throw SessionError.rewindBeyondPosition(requested: position, position: self.position)
        }
        self.position = position
    }

    /// Drops every token: the next evaluation starts at position 0.
    public func reset() { position = 0 }

    /// Evaluates `tokens` after those already held (in chunks of `batchCapacity`) and leaves the next-token logits
    /// of the last one in `logits`. Bad input throws before anything is evaluated, so the session is unchanged.
    ///
    /// With `candidates`, only those tokens' logits are computed (the output layer's rows for them alone, which is
    /// most of a decode step's work with a large vocabulary); every other entry of `logits` is -infinity.
    public func evaluate(_ tokens: UnsafeBufferPointer<Int32>, logitsOf candidates: UnsafeBufferPointer<Int32>? = nil)
        throws
    {
        guard !tokens.isEmpty else { throw SessionError.emptyInput }
        guard position + tokens.count <= contextLength else {
            throw SessionError.contextFull(position: position, adding: tokens.count, contextLength: contextLength)
        }
        let vocabulary = model.config.vocabularySize
        if let bad = tokens.first(where: { $0 < 0 || Int($0) >= vocabulary }) {
            throw SessionError.tokenOutOfRange(token: bad, vocabularySize: vocabulary)
        }
        if let bad = candidates?.first(where: { $0 < 0 || Int($0) >= vocabulary }) {
            throw SessionError.tokenOutOfRange(token: bad, vocabularySize: vocabulary)
        }
        var start = 0
        while start < tokens.count {
            let end = min(start + batchCapacity, tokens.count)
            let rows: LogitRows = end < tokens.count ? .none : candidates.map { .only($0) } ?? .all
            forward(UnsafeBufferPointer(rebasing: tokens[start..<end]), logits: rows)
            position += end - start
            start = end
        }
    }

    /// Evaluates one token: the decode step.
    public func evaluate(_ token: Int32) throws {
        try withUnsafePointer(to: token) { try evaluate(UnsafeBufferPointer(start: $0, count: 1)) }
    }

    /// Evaluates `tokens` after those already held; see `evaluate(_: UnsafeBufferPointer<Int32>, logitsOf:)`.
    public func evaluate(_ tokens: [Int32]) throws {
        try tokens.withUnsafeBufferPointer { try evaluate($0) }
    }

    /// Evaluates `tokens` and computes the next-token logits of `candidates` only; see
    /// `evaluate(_: UnsafeBufferPointer<Int32>, logitsOf:)`.
    public func evaluate(_ tokens: [Int32], logitsOf candidates: [Int32]) throws {
        try tokens.withUnsafeBufferPointer { t in try candidates.withUnsafeBufferPointer { try evaluate(t, logitsOf: $0) } }
    }
}
