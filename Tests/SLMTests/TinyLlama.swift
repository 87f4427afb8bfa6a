import Foundation

@testable import SLM

/// A tiny llama with seeded random weights, written as a GGUF file, and a plain reference forward pass over the same
/// weights. The reference is written from the equations in double precision; it shares no code with the engine
/// except the kernels' reference dequantizer, which turns the stored weight bytes back into numbers.
struct TinyLlama {
    struct Shape {
        var vocabulary = 64
        var dimension = 64
        var layers = 2
        var heads = 4
        var kvHeads = 2
        var feedForward = 96
        var contextLength = 32
        var ropeBase = 10_000.0
        var epsilon = 1e-5

        var headDimension: Int { dimension / heads }
        var kvDimension: Int { kvHeads * headDimension }
    }

    let shape: Shape
    let metadata: [(String, TinyGGUF.Value)]
    /// In file order.
    let tensors: [TinyGGUF.Tensor]

    /// `matrices` are the types of the layers' matrices, taken in turn (q, k, v, attention output, gate, up, down,
    /// then the next layer), so that every type meets every role; `output` nil ties the output projection to the
    /// token embedding.
    init(
        shape: Shape = Shape(), embedding: TensorType = .f32, matrices: [TensorType] = [.f32],
        output: TensorType? = .f32, seed: UInt64 = 1
    ) {
        var rng = SplitMix64(seed: seed)
        let s = shape
        func uniform(_ count: Int, _ bound: Double) -> [Float] {
            (0..<count).map { _ in Float(Double.random(in: -bound...bound, using: &rng)) }
        }
        // Scaled so that every projection keeps unit variance: random numbers of this size give attention that is
        // neither uniform nor one-hot, so a wrong position or head changes the result.
        func matrix(_ name: String, rows: Int, columns: Int, _ type: TensorType) -> TinyGGUF.Tensor {
            TinyGGUF.Tensor(
                name, [columns, rows], type, values: uniform(rows * columns, (3.0 / Double(columns)).squareRoot()))
        }
        func norm(_ name: String) -> TinyGGUF.Tensor {
            TinyGGUF.Tensor(name, [s.dimension], .f32, values: uniform(s.dimension, 0.25).map { 1 + $0 })
        }

        var tensors = [
            TinyGGUF.Tensor(
                "token_embd.weight", [s.dimension, s.vocabulary], embedding,
                values: uniform(s.vocabulary * s.dimension, 1))
        ]
        var types = matrices.makeIterator()
        func nextType() -> TensorType {
            if let type = types.next() { return type }
            types = matrices.makeIterator()
            return types.next()!
        }
        let qDim = s.heads * s.headDimension
        for layer in 0..<s.layers {
            let p = "blk.\(layer)."
            tensors += [
                norm(p + "attn_norm.weight"),
                matrix(p + "attn_q.weight", rows: qDim, columns: s.dimension, nextType()),
                matrix(p + "attn_k.weight", rows: s.kvDimension, columns: s.dimension, nextType()),
                matrix(p + "attn_v.weight", rows: s.kvDimension, columns: s.dimension, nextType()),
                matrix(p + "attn_output.weight", rows: s.dimension, columns: qDim, nextType()),
                norm(p + "ffn_norm.weight"),
                matrix(p + "ffn_gate.weight", rows: s.feedForward, columns: s.dimension, nextType()),
                matrix(p + "ffn_up.weight", rows: s.feedForward, columns: s.dimension, nextType()),
                matrix(p + "ffn_down.weight", rows: s.dimension, columns: s.feedForward, nextType()),
            ]
        }
        tensors.append(norm("output_norm.weight"))
        if let output {
            tensors.append(matrix("output.weight", rows: s.vocabulary, columns: s.dimension, output))
        }
        self.shape = shape
        self.tensors = tensors
        metadata = [
            ("general.architecture", .string("llama")),
            ("general.name", .string("tiny")),
            ("llama.block_count", .uint32(UInt32(s.layers))),
            ("llama.context_length", .uint32(UInt32(s.contextLength))),
            ("llama.embedding_length", .uint32(UInt32(s.dimension))),
            ("llama.feed_forward_length", .uint32(UInt32(s.feedForward))),
            ("llama.attention.head_count", .uint32(UInt32(s.heads))),
            ("llama.attention.head_count_kv", .uint32(UInt32(s.kvHeads))),
            ("llama.attention.layer_norm_rms_epsilon", .float32(Float(s.epsilon))),
            ("llama.rope.freq_base", .float32(Float(s.ropeBase))),
            ("llama.vocab_size", .uint32(UInt32(s.vocabulary))),
        ]
    }

    var gguf: TinyGGUF { TinyGGUF(metadata, tensors: tensors) }

    func model() throws -> Model { try gguf.model() }

    // MARK: reference forward pass

    /// The next-token logits after each token of `tokens`, evaluated from position 0.
    func referenceLogits(_ tokens: [Int32]) -> [[Double]] {
        let s = shape
        var weights: [String: [Double]] = [:]
        for tensor in tensors { weights[tensor.name] = tensor.dequantized.map(Double.init) }
        func w(_ name: String) -> [Double] { weights[name]! }
        let headDim = s.headDimension
        let qDim = s.heads * headDim
        let group = s.heads / s.kvHeads

        /// y = W x, W stored row after row.
        func product(_ matrix: [Double], _ x: [Double]) -> [Double] {
            let rows = matrix.count / x.count
            return (0..<rows).map { r in (0..<x.count).reduce(0.0) { $0 + matrix[r * x.count + $1] * x[$1] } }
        }
        func rmsNorm(_ x: [Double], _ weight: [Double]) -> [Double] {
            let meanSquare = x.reduce(0) { $0 + $1 * $1 } / Double(x.count)
            let scale = 1 / (meanSquare + s.epsilon).squareRoot()
            return zip(x, weight).map { $0 * scale * $1 }
        }
        /// Rotates the pairs (x[2i], x[2i+1]) of every head by pos · base^(-2i / headDim).
        func rope(_ x: inout [Double], position: Int) {
            for head in 0..<x.count / headDim {
                for i in 0..<headDim / 2 {
                    let angle = Double(position) * pow(s.ropeBase, -2 * Double(i) / Double(headDim))
                    let a = head * headDim + 2 * i
                    let (x0, x1) = (x[a], x[a + 1])
                    x[a] = x0 * cos(angle) - x1 * sin(angle)
                    x[a + 1] = x0 * sin(angle) + x1 * cos(angle)
                }
            }
        }

        var keys = [[[Double]]](repeating: [], count: s.layers)  // (layer, position, kvDim)
        var values = [[[Double]]](repeating: [], count: s.layers)
        var logits: [[Double]] = []
        let embedding = w("token_embd.weight")
        for (position, token) in tokens.enumerated() {
            var x = Array(embedding[Int(token) * s.dimension..<(Int(token) + 1) * s.dimension])
            for layer in 0..<s.layers {
                let p = "blk.\(layer)."
                // attention
                let h = rmsNorm(x, w(p + "attn_norm.weight"))
                var q = product(w(p + "attn_q.weight"), h)
                var k = product(w(p + "attn_k.weight"), h)
                let v = product(w(p + "attn_v.weight"), h)
                rope(&q, position: position)
                rope(&k, position: position)
                keys[layer].append(k)
                values[layer].append(v)
                var attention = [Double](repeating: 0, count: qDim)
                for head in 0..<s.heads {
                    let kvBase = head / group * headDim
                    let scores = (0...position).map { t in
                        (0..<headDim).reduce(0.0) { $0 + q[head * headDim + $1] * keys[layer][t][kvBase + $1] }
                            / Double(headDim).squareRoot()
                    }
                    let top = scores.max()!
                    let weights = scores.map { exp($0 - top) }
                    let total = weights.reduce(0, +)
                    for t in 0...position {
                        for i in 0..<headDim {
                            attention[head * headDim + i] += weights[t] / total * values[layer][t][kvBase + i]
                        }
                    }
                }
                x = zip(x, product(w(p + "attn_output.weight"), attention)).map(+)
                // SwiGLU feed-forward
                let f = rmsNorm(x, w(p + "ffn_norm.weight"))
                let gate = product(w(p + "ffn_gate.weight"), f)
                let up = product(w(p + "ffn_up.weight"), f)
                let hidden = zip(gate, up).map { g, u in g / (1 + exp(-g)) * u }
                x = zip(x, product(w(p + "ffn_down.weight"), hidden)).map(+)
            }
            let final = rmsNorm(x, w("output_norm.weight"))
            logits.append(product(weights["output.weight"] ?? embedding, final))
        }
        return logits
    }
}
