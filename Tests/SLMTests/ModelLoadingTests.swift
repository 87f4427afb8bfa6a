import XCTest

@testable import SLM

/// The model blueprint and the weight loader on tiny llamas written by the test: what they read, and errors that
/// name the key or tensor at fault.
final class ModelLoadingTests: XCTestCase {
    // MARK: the model blueprint

    static let llama = TinyLlama()

    func configError(_ change: (inout [(String, TinyGGUF.Value)]) -> Void) -> Error? {
        var tiny = Self.llama.gguf
        change(&tiny.metadata)
        return thrown { try ModelConfig(gguf: tiny.open()) }
    }

    func testModelConfigReadsTheHyperparameters() throws {
        let config = try ModelConfig(gguf: Self.llama.gguf.open())
        XCTAssertEqual(config.architecture, "llama")
        XCTAssertEqual(config.layerCount, 2)
        XCTAssertEqual(config.trainedContextLength, 32)
        XCTAssertEqual(config.embeddingLength, 64)
        XCTAssertEqual(config.feedForwardLength, 96)
        XCTAssertEqual(config.headCount, 4)
        XCTAssertEqual(config.kvHeadCount, 2)
        XCTAssertEqual(config.headDimension, 16)
        XCTAssertEqual(config.kvDimension, 32)
        XCTAssertEqual(config.rmsEpsilon, 1e-5)
        XCTAssertEqual(config.ropeBase, 10_000)
        XCTAssertEqual(config.vocabularySize, 64)

        // optional keys: one KV head per head, base 10000, vocabulary from the token list
        var tiny = Self.llama.gguf
        tiny.metadata.removeAll { ["llama.attention.head_count_kv", "llama.vocab_size"].contains($0.0) }
        tiny.metadata = tiny.metadata.map { $0.0 == "llama.rope.freq_base" ? ($0.0, .float32(500_000)) : $0 }
        tiny.metadata.append(("tokenizer.ggml.tokens", .strings((0..<40).map { "t\($0)" })))
        let defaults = try ModelConfig(gguf: tiny.open())
        XCTAssertEqual(defaults.kvHeadCount, 4)
        XCTAssertEqual(defaults.ropeBase, 500_000)
        XCTAssertEqual(defaults.vocabularySize, 40)
    }

    func testModelConfigErrorsNameTheKey() throws {
        XCTAssertEqual(
            configError { $0.removeAll { $0.0 == "llama.block_count" } } as? GGUFError,
            .missingKey("llama.block_count"))
        XCTAssertEqual(
            configError { $0.removeAll { $0.0 == "llama.vocab_size" } } as? GGUFError,
            .missingKey("llama.vocab_size"))
        XCTAssertEqual(
            configError { $0.removeAll { $0.0 == "general.architecture" } } as? GGUFError,
            .missingKey("general.architecture"))
        XCTAssertEqual(
            configError { $0[0].1 = .string("mamba") } as? GGUFError, .unsupportedArchitecture("mamba"))
        func set(_ key: String, _ value: TinyGGUF.Value) -> Error? {
            configError { metadata in metadata = metadata.map { $0.0 == key ? (key, value) : $0 } }
        }
        XCTAssertEqual(
            set("llama.attention.head_count", .uint32(6)) as? GGUFError,
            .invalidValue(key: "llama.attention.head_count", value: "6", reason: "must divide the embedding length 64"))
        XCTAssertEqual(
            set("llama.attention.head_count_kv", .uint32(3)) as? GGUFError,
            .invalidValue(key: "llama.attention.head_count_kv", value: "3", reason: "must divide the head count 4"))
        XCTAssertEqual(
            set("llama.block_count", .int32(0)) as? GGUFError,
            .invalidValue(key: "llama.block_count", value: "0", reason: "must be between 1 and 16777216"))
        XCTAssertEqual(
            set("llama.embedding_length", .string("64")) as? GGUFError,
            .wrongType(key: "llama.embedding_length", expected: "integer", found: "string"))
        XCTAssertEqual(
            configError { $0.append(("llama.rope.scaling.type", .string("yarn"))) } as? GGUFError,
            .invalidValue(key: "llama.rope.scaling.type", value: "yarn", reason: "RoPE scaling is not supported yet"))
    }

    // MARK: the weights

    func modelError(_ tiny: TinyGGUF) -> Error? { thrown { try tiny.model() } }

    func testModelLoadsTheTinyLlama() throws {
        let model = try Self.llama.model()
        XCTAssertEqual(model.weights.layers.count, 2)
        let q = model.weights.layers[1].query
        XCTAssertEqual([q.name, "\(q.rows)", "\(q.columns)"], ["blk.1.attn_q.weight", "64", "64"])
        let k = model.weights.layers[1].key
        XCTAssertEqual([k.name, "\(k.rows)", "\(k.columns)"], ["blk.1.attn_k.weight", "32", "64"])
        let down = model.weights.layers[0].down
        XCTAssertEqual([down.name, "\(down.rows)", "\(down.columns)"], ["blk.0.ffn_down.weight", "64", "96"])
        let norm = Self.llama.tensors.first { $0.name == "blk.1.ffn_norm.weight" }!.dequantized
        XCTAssertEqual(model.weights.layers[1].feedForwardNorm, norm)
        XCTAssertEqual(model.weights.output.name, "output.weight")
    }

    func testMissingTensorIsNamed() throws {
        var tiny = Self.llama.gguf
        tiny.tensors.removeAll { $0.name == "blk.0.attn_q.weight" }
        XCTAssertEqual(modelError(tiny) as? GGUFError, .missingTensor("blk.0.attn_q.weight"))
        tiny = Self.llama.gguf
        tiny.tensors.removeAll { $0.name == "output_norm.weight" }
        XCTAssertEqual(modelError(tiny) as? GGUFError, .missingTensor("output_norm.weight"))
    }

    func testWrongShapesAreNamed() throws {
        var tiny = Self.llama.gguf
        let up = tiny.tensors.firstIndex { $0.name == "blk.1.ffn_up.weight" }!
        tiny.tensors[up].dimensions = [96, 64]
        XCTAssertEqual(
            modelError(tiny) as? GGUFError,
            .badTensorShape(tensor: "blk.1.ffn_up.weight", reason: "expected [64, 96], found [96, 64]"))

        tiny = Self.llama.gguf
        let k = tiny.tensors.firstIndex { $0.name == "blk.0.attn_k.weight" }!
        tiny.tensors[k].dimensions = [64, 32, 1]
        XCTAssertEqual(
            modelError(tiny) as? GGUFError,
            .badTensorShape(tensor: "blk.0.attn_k.weight", reason: "expected [64, 32], found [64, 32, 1]"))

        tiny = Self.llama.gguf
        let norm = tiny.tensors.firstIndex { $0.name == "blk.1.attn_norm.weight" }!
        tiny.tensors[norm].dimensions = [32, 2]
        XCTAssertEqual(
            modelError(tiny) as? GGUFError,
            .badTensorShape(tensor: "blk.1.attn_norm.weight", reason: "expected [64], found [32, 2]"))

        tiny = Self.llama.gguf
        let output = tiny.tensors.firstIndex { $0.name == "output.weight" }!
        tiny.tensors[output] = TinyGGUF.Tensor(
            "output.weight", [64, 63], values: [Float](repeating: 0, count: 64 * 63))
        XCTAssertEqual(
            modelError(tiny) as? GGUFError,
            .badTensorShape(tensor: "output.weight", reason: "expected [64, 64], found [64, 63]"))
    }

    func testUnsupportedTypesAreNamed() throws {
        // Q3_K rows are 256 wide: the feed-forward width lets ffn_down have such rows
        var shape = TinyLlama.Shape()
        shape.feedForward = 256
        var tiny = TinyLlama(shape: shape).gguf
        let down = tiny.tensors.firstIndex { $0.name == "blk.0.ffn_down.weight" }!
        tiny.tensors[down] = TinyGGUF.Tensor(
            name: "blk.0.ffn_down.weight", dimensions: [256, 64], type: TensorType.q3_K.rawValue,
            data: [UInt8](repeating: 0, count: 110 * 64))
        XCTAssertNoThrow(try tiny.open(), "the file itself is valid")
        XCTAssertEqual(
            modelError(tiny) as? GGUFError, .unsupportedTensorType(tensor: "blk.0.ffn_down.weight", type: "Q3_K"))

        // norms must be float
        tiny = Self.llama.gguf
        let norm = tiny.tensors.firstIndex { $0.name == "blk.0.ffn_norm.weight" }!
        tiny.tensors[norm] = TinyGGUF.Tensor(
            "blk.0.ffn_norm.weight", [64], .q8_0, values: [Float](repeating: 1, count: 64))
        XCTAssertEqual(
            modelError(tiny) as? GGUFError, .unsupportedTensorType(tensor: "blk.0.ffn_norm.weight", type: "Q8_0"))
    }
}
