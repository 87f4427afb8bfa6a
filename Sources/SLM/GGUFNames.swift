/// Every GGUF metadata key and tensor name the engine reads, in one place. Elsewhere the engine uses Swift names.
public enum GGUFKey {
    public static let architecture = "general.architecture"
    public static let alignment = "general.alignment"
    public static let name = "general.name"

    // Hyperparameters, prefixed by the architecture ("llama.block_count").
    static func blockCount(_ arch: String) -> String { "\(arch).block_count" }
    static func contextLength(_ arch: String) -> String { "\(arch).context_length" }
    static func embeddingLength(_ arch: String) -> String { "\(arch).embedding_length" }
    static func feedForwardLength(_ arch: String) -> String { "\(arch).feed_forward_length" }
    static func headCount(_ arch: String) -> String { "\(arch).attention.head_count" }
    static func headCountKV(_ arch: String) -> String { "\(arch).attention.head_count_kv" }
    static func keyLength(_ arch: String) -> String { "\(arch).attention.key_length" }
    static func valueLength(_ arch: String) -> String { "\(arch).attention.value_length" }
    static func rmsEpsilon(_ arch: String) -> String { "\(arch).attention.layer_norm_rms_epsilon" }
    static func ropeFreqBase(_ arch: String) -> String { "\(arch).rope.freq_base" }
    static func ropeDimensionCount(_ arch: String) -> String { "\(arch).rope.dimension_count" }
    static func ropeScalingType(_ arch: String) -> String { "\(arch).rope.scaling.type" }
    static func vocabSize(_ arch: String) -> String { "\(arch).vocab_size" }
    // Sliding-window attention (Gemma 3): the window, every how many layers one attends globally, and the RoPE base of
    // the windowed layers.
    static func slidingWindow(_ arch: String) -> String { "\(arch).attention.sliding_window" }
    static func slidingWindowPattern(_ arch: String) -> String { "\(arch).attention.sliding_window_pattern" }
    static func ropeFreqBaseSlidingWindow(_ arch: String) -> String { "\(arch).rope.freq_base_swa" }
    /// The factor on attention logits, when it is not 1 / sqrt(head dimension).
    static func attentionScale(_ arch: String) -> String { "\(arch).attention.scale" }

    // Tokenizer.
    public static let tokenizerModel = "tokenizer.ggml.model"
    public static let tokenizerPre = "tokenizer.ggml.pre"
    public static let tokens = "tokenizer.ggml.tokens"
    public static let tokenTypes = "tokenizer.ggml.token_type"
    public static let tokenScores = "tokenizer.ggml.scores"
    public static let merges = "tokenizer.ggml.merges"
    public static let bosTokenID = "tokenizer.ggml.bos_token_id"
    public static let eosTokenID = "tokenizer.ggml.eos_token_id"
    public static let eotTokenID = "tokenizer.ggml.eot_token_id"
    public static let eomTokenID = "tokenizer.ggml.eom_token_id"
    public static let unknownTokenID = "tokenizer.ggml.unknown_token_id"
    public static let paddingTokenID = "tokenizer.ggml.padding_token_id"
    public static let addBOS = "tokenizer.ggml.add_bos_token"
    public static let addEOS = "tokenizer.ggml.add_eos_token"
    public static let addSpacePrefix = "tokenizer.ggml.add_space_prefix"
    public static let chatTemplate = "tokenizer.chat_template"
}

/// Tensor names of the llama family (Gemma 3 adds the per-head and post-sub-layer norms).
enum TensorName {
    static let tokenEmbedding = "token_embd.weight"
    static let outputNorm = "output_norm.weight"
    static let output = "output.weight"

    static func attentionNorm(_ layer: Int) -> String { "blk.\(layer).attn_norm.weight" }
    static func attentionQuery(_ layer: Int) -> String { "blk.\(layer).attn_q.weight" }
    static func attentionKey(_ layer: Int) -> String { "blk.\(layer).attn_k.weight" }
    static func attentionValue(_ layer: Int) -> String { "blk.\(layer).attn_v.weight" }
    static func attentionOutput(_ layer: Int) -> String { "blk.\(layer).attn_output.weight" }
    static func feedForwardNorm(_ layer: Int) -> String { "blk.\(layer).ffn_norm.weight" }
    static func feedForwardGate(_ layer: Int) -> String { "blk.\(layer).ffn_gate.weight" }
    static func feedForwardUp(_ layer: Int) -> String { "blk.\(layer).ffn_up.weight" }
    static func feedForwardDown(_ layer: Int) -> String { "blk.\(layer).ffn_down.weight" }
    static func attentionQueryNorm(_ layer: Int) -> String { "blk.\(layer).attn_q_norm.weight" }
    static func attentionKeyNorm(_ layer: Int) -> String { "blk.\(layer).attn_k_norm.weight" }
    static func postAttentionNorm(_ layer: Int) -> String { "blk.\(layer).post_attention_norm.weight" }
    static func postFeedForwardNorm(_ layer: Int) -> String { "blk.\(layer).post_ffw_norm.weight" }
}
