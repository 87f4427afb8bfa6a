import SLM

/// The memory a model needs to run, term by term, computed from its configuration the way `Session` allocates,
/// without loading it.
public struct MemoryEstimate: Sendable, Equatable, Codable {
    /// The agent's own resident memory besides the model's terms: the Swift runtime and Foundation, the parsed GGUF
    /// metadata and the tokenizer. Measured on x86-64 with SmolLM2-135M as the peak RSS of
    /// `edge-agent bench --context 256 --prompt-tokens 200 --gen-tokens 50 --threads 1` (the whole KV cache
    /// written) less the model file, the KV cache and the scratch: 33.1 MB for the debug-friendly build that links
    /// the Swift libraries dynamically (134.3 MB peak; 19.7 MB for `edge-agent --help`), 26.8 MB for the static
    /// release binary of Board/build-release.sh (127.9 MB peak; 13.6 MB for `--help`). Rounded up to 36 MB.
    public static let agentBaselineBytes = 36 * 1024 * 1024

    /// Tokens one forward pass evaluates at most (`Session`'s default batch capacity).
    public static let batchCapacity = 64

    public var contextLength: Int
    public var threads: Int
    /// The GGUF file: memory-mapped, and all of it resident once every layer has run.
    public var modelBytes: Int
    public var kvCacheBytes: Int
    public var scratchBytes: Int
    public var baselineBytes: Int

    public var totalBytes: Int { modelBytes + kvCacheBytes + scratchBytes + baselineBytes }

    public init(
        config: ModelConfig, modelBytes: Int, contextLength: Int, threads: Int,
        baselineBytes: Int = MemoryEstimate.agentBaselineBytes
    ) {
        self.contextLength = contextLength
        self.threads = threads
        self.modelBytes = modelBytes
        kvCacheBytes = Self.kvCacheBytes(config: config, contextLength: contextLength)
        scratchBytes = Self.scratchBytes(config: config, contextLength: contextLength, threads: threads)
        self.baselineBytes = baselineBytes
    }

    /// The session's KV cache for `contextLength` tokens.
    public static func kvCacheBytes(config: ModelConfig, contextLength: Int) -> Int {
        Session.kvCacheBytes(config: config, contextLength: contextLength)
    }

    /// The session's scratch buffers for a batch of 64 tokens.
    public static func scratchBytes(config: ModelConfig, contextLength: Int, threads: Int) -> Int {
        Session.scratchBytes(config: config, contextLength: contextLength, threads: threads, batchCapacity: batchCapacity)
    }

    /// Bytes each further token of context costs: its KV cache row in every layer and its attention scores.
    public static func bytesPerToken(config: ModelConfig, threads: Int) -> Int {
        kvCacheBytes(config: config, contextLength: 1) + scratchBytes(config: config, contextLength: 1, threads: threads)
            - scratchBytes(config: config, contextLength: 0, threads: threads)
    }
}
