import SLMKernels

/// A weight matrix in place in the memory map: `rows` rows of `columns` elements of `type`.
public struct WeightMatrix: @unchecked Sendable {
    public let name: String
    public let type: TensorType
    public let rows: Int
    public let columns: Int
    public let rowBytes: Int
    public let data: UnsafeRawPointer

    init(_ tensor: GGUFTensor, rows: Int, columns: Int) throws {
        guard tensor.dimensions.count == 2, tensor.dimensions[0] == columns, tensor.dimensions[1] == rows else {
            throw GGUFError.badTensorShape(
                tensor: tensor.name, reason: "expected [\(columns), \(rows)], found \(tensor.dimensions)")
        }
        guard tensor.type.isSupported else {
            throw GGUFError.unsupportedTensorType(tensor: tensor.name, type: tensor.type.name)
        }
        if tensor.type.isBlockQuantized && columns % tensor.type.blockLayout.elements != 0 {
            throw GGUFError.badTensorShape(tensor: tensor.name, reason: "rows of \(columns) are not whole blocks")
        }
        name = tensor.name
        type = tensor.type
        self.rows = rows
        self.columns = columns
        rowBytes = tensor.rowBytes
        data = tensor.data
    }

    /// Dequantizes row `index` into `output` (`columns` floats): how a token's embedding is looked up.
    func dequantizeRow(_ index: Int, into output: UnsafeMutablePointer<Float>) {
        slm_dequantize_row(type.kernelType, data + index * rowBytes, output, Int64(columns))
    }
}

/// The weights of one transformer block.
public struct LayerWeights: @unchecked Sendable {
    public let attentionNorm: [Float]
    public let query: WeightMatrix
    public let key: WeightMatrix
    public let value: WeightMatrix
    public let attentionOutput: WeightMatrix
    public let feedForwardNorm: [Float]
    public let gate: WeightMatrix
    public let up: WeightMatrix
    public let down: WeightMatrix
    /// Gemma 3: RMSNorm weights of each query and key head (headDim), and of the attention and feed-forward outputs
    /// before they join the residual stream (dim). Nil for llama.
    public let queryNorm: [Float]?
    public let keyNorm: [Float]?
    public let postAttentionNorm: [Float]?
    public let postFeedForwardNorm: [Float]?
}

/// All the weights of a llama- or gemma3-architecture model, read-only. Matrices point into the memory map; the small norm
/// vectors are copied out as floats.
public struct ModelWeights: @unchecked Sendable {
    public let tokenEmbedding: WeightMatrix
    public let layers: [LayerWeights]
    public let outputNorm: [Float]
    /// The output projection: `output.weight`, or the token embedding when the model ties them.
    public let output: WeightMatrix

    public init(gguf: GGUFFile, config c: ModelConfig) throws {
        func matrix(_ name: String, rows: Int, columns: Int) throws -> WeightMatrix {
            try WeightMatrix(gguf.tensor(name), rows: rows, columns: columns)
        }
        func vector(_ name: String, count: Int) throws -> [Float] {
            let tensor = try gguf.tensor(name)
            guard tensor.elementCount == count, tensor.dimensions.count == 1 else {
                throw GGUFError.badTensorShape(tensor: name, reason: "expected [\(count)], found \(tensor.dimensions)")
            }
            guard tensor.type == .f32 || tensor.type == .f16 else {
                throw GGUFError.unsupportedTensorType(tensor: name, type: tensor.type.name)
            }
            var values = [Float](repeating: 0, count: count)
            values.withUnsafeMutableBufferPointer {
                slm_dequantize_row(tensor.type.kernelType, tensor.data, $0.baseAddress!, Int64(count))
            }
            return values
        }

        let dim = c.embeddingLength
        tokenEmbedding = try matrix(TensorName.tokenEmbedding, rows: c.vocabularySize, columns: dim)
        let gemma = c.family == .gemma3
        func gemmaVector(_ name: String, count: Int) throws -> [Float]? {
            gemma ? try vector(name, count: count) : nil
        }
        layers = try (0..<c.layerCount).map { i in
            LayerWeights(
                attentionNorm: try vector(TensorName.attentionNorm(i), count: dim),
                query: try matrix(TensorName.attentionQuery(i), rows: c.queryDimension, columns: dim),
                key: try matrix(TensorName.attentionKey(i), rows: c.kvDimension, columns: dim),
                value: try matrix(TensorName.attentionValue(i), rows: c.kvDimension, columns: dim),
                attentionOutput: try matrix(TensorName.attentionOutput(i), rows: dim, columns: c.queryDimension),
                feedForwardNorm: try vector(TensorName.feedForwardNorm(i), count: dim),
                gate: try matrix(TensorName.feedForwardGate(i), rows: c.feedForwardLength, columns: dim),
                up: try matrix(TensorName.feedForwardUp(i), rows: c.feedForwardLength, columns: dim),
                down: try matrix(TensorName.feedForwardDown(i), rows: dim, columns: c.feedForwardLength),
                queryNorm: try gemmaVector(TensorName.attentionQueryNorm(i), count: c.headDimension),
                keyNorm: try gemmaVector(TensorName.attentionKeyNorm(i), count: c.headDimension),
                postAttentionNorm: try gemmaVector(TensorName.postAttentionNorm(i), count: dim),
                postFeedForwardNorm: try gemmaVector(TensorName.postFeedForwardNorm(i), count: dim))
        }
        outputNorm = try vector(TensorName.outputNorm, count: dim)
        if gguf.tensors[TensorName.output] != nil {
            output = try matrix(TensorName.output, rows: c.vocabularySize, columns: dim)
        } else {
            output = tokenEmbedding
        }
    }

    /// Bytes of weights read to compute one token (every matrix once, plus one embedding row).
    public var bytesPerToken: Int {
        let perLayer = layers.first.map {
            [$0.query, $0.key, $0.value, $0.attentionOutput, $0.gate, $0.up, $0.down]
                .reduce(0) { $0 + $1.rowBytes * $1.rows }
        } ?? 0
        return perLayer * layers.count + output.rowBytes * output.rows + tokenEmbedding.rowBytes
    }
}
