import Foundation
import SLMKernels
import XCTest

@testable import SLM

/// Gemma 3 270M against exact arithmetic: a double-precision forward pass, written here from the architecture's
/// equations and sharing nothing with the engine but the weights' decoding (the portable dequantizer, itself tested
/// against the format definitions) and the hyperparameters. Both the engine and llama.cpp round (8-bit activations,
/// half-float keys and values); this pass shows how far each lands from the values the weights define.
///
/// What it establishes: the engine's top-5 log-probabilities are as close to exact arithmetic as llama.cpp's, so
/// the two engines' distance from each other (about 0.11 on average) is llama.cpp's rounding plus ours, not a
/// fault of either; and at every step where the exact top two are clearly apart, the engine picks the exact top-1.
/// Measured mean |Δ| from exact: llama.cpp 0.094; the engine 0.084 with the AVX-512 VNNI kernels, 0.093 with the
/// portable ones, 0.101 with AVX2. The kernels' integer products are exact at every level; only the order of the
/// float sums differs, and this model's activation outliers turn that into ±0.01 here — the noise floor of 8-bit
/// activations, which no engine that rounds them gets under.
final class GemmaExactArithmeticTests: XCTestCase {
    func testEngineIsCloserToExactArithmeticThanLlamaCpp() throws {
        let model = try GemmaReferenceTests.model.get()
        let reference = try ForwardReference.load(TestResources.gemma3Reference)
        let session = try Session(model: model, contextLength: 256, pool: GemmaReferenceTests.pool)
        var ours: [Double] = []
        var llama: [Double] = []
        var flips: [String] = []
        for (name, prompt) in reference.prompts.sorted(by: { $0.key < $1.key }) {
            let steps = [prompt.nextTop5] + prompt.greedyStepTop5.dropFirst()
            // The prompt and the greedy tokens that lead to each compared step, in one causal pass.
            let sequence = prompt.ids + prompt.greedyIds.prefix(steps.count - 1)
            let positions = (0..<steps.count).map { prompt.ids.count - 1 + $0 }
            let exact = ExactGemma(model: model).logProbabilities(sequence, at: positions)

            session.reset()
            try session.evaluate(prompt.ids)
            for (step, top5) in steps.enumerated() {
                if step > 0 { try session.evaluate(prompt.greedyIds[step - 1]) }
                let engine = logSoftmax(session.logits.map(Double.init))
                for candidate in top5 {
                    let truth = exact[step][Int(candidate.id)]
                    ours.append(abs(engine[Int(candidate.id)] - truth))
                    llama.append(abs(candidate.logprob - truth))
                }
                let ranked = exact[step].indices.sorted { exact[step][$0] > exact[step][$1] }
                if exact[step][ranked[0]] - exact[step][ranked[1]] > 0.05 {
                    let best = engine.indices.max { engine[$0] < engine[$1] }!
                    if best != ranked[0] { flips.append("\(name) step \(step)") }
                }
            }
        }
        let oursMean = ours.reduce(0, +) / Double(ours.count)
        let llamaMean = llama.reduce(0, +) / Double(llama.count)
        print(
            "gemma-3-270m top-5 log-probabilities vs exact arithmetic, \(ours.count) values: edge-agent mean |Δ| "
                + "\(oursMean) (max \(ours.max()!)), llama.cpp mean |Δ| \(llamaMean) (max \(llama.max()!))")
        XCTAssertGreaterThan(ours.count, 70)
        // Within the spread of the kernel levels above of llama.cpp's distance; a wrong norm, RoPE base or window
        // moves the values by whole units.
        XCTAssertLessThan(oursMean, llamaMean + 0.015)
        XCTAssertLessThan(oursMean, 0.11)
        XCTAssertEqual(flips, [])
    }

}

/// log(softmax(values)), shifted by the maximum so no term overflows.
func logSoftmax(_ values: [Double]) -> [Double] {
    let maximum = values.max()!
    let sum = values.reduce(0.0) { $0 + exp($1 - maximum) }
    return values.map { $0 - maximum - log(sum) }
}

/// The gemma3 forward pass in doubles, for a handful of tokens at once: embeddings scaled by √dim, RMSNorm before
/// and after each sub-layer, per-head RMSNorm of queries and keys, rotary embeddings on head halves with the global
/// or sliding-window base, causal grouped-query attention (windowed on sliding layers), a GELU-gated (tanh form)
/// feed-forward, the tied output layer.
struct ExactGemma {
    let model: Model
    var c: ModelConfig { model.config }

    /// Log-softmax over the whole vocabulary after each of `positions` of `tokens`.
    func logProbabilities(_ tokens: [Int32], at positions: [Int]) -> [[Double]] {
        let w = model.weights
        let dim = c.embeddingLength
        var row = [Float](repeating: 0, count: dim)
        var x: [[Double]] = tokens.map { token in
            row.withUnsafeMutableBufferPointer { w.tokenEmbedding.dequantizeRow(Int(token), into: $0.baseAddress!) }
            return row.map { Double($0) * Double(c.embeddingScale) }
        }
        for (layer, lw) in w.layers.enumerated() {
            let h = x.map { rmsNorm($0, lw.attentionNorm) }
            var q = project(lw.query, h)
            var k = project(lw.key, h)
            let v = project(lw.value, h)
            for t in tokens.indices {
                q[t] = headwise(q[t], lw.queryNorm, layer: layer, position: t)
                k[t] = headwise(k[t], lw.keyNorm, layer: layer, position: t)
            }
            let attended = attention(q, k, v, layer: layer)
            var o = project(lw.attentionOutput, attended)
            if let norm = lw.postAttentionNorm { o = o.map { rmsNorm($0, norm) } }
            for t in tokens.indices { for i in 0..<dim { x[t][i] += o[t][i] } }

            let f = x.map { rmsNorm($0, lw.feedForwardNorm) }
            let gate = project(lw.gate, f)
            let up = project(lw.up, f)
            let hidden = tokens.indices.map { t in gate[t].indices.map { gelu(gate[t][$0]) * up[t][$0] } }
            var d = project(lw.down, hidden)
            if let norm = lw.postFeedForwardNorm { d = d.map { rmsNorm($0, norm) } }
            for t in tokens.indices { for i in 0..<dim { x[t][i] += d[t][i] } }
        }
        let last = positions.map { rmsNorm(x[$0], w.outputNorm) }
        let logits = project(w.output, last)
        return logits.map(logSoftmax)
    }

    /// `matrix · input` for each input row, every weight row decoded once.
    func project(_ matrix: WeightMatrix, _ inputs: [[Double]]) -> [[Double]] {
        var out = [[Double]](repeating: [Double](repeating: 0, count: matrix.rows), count: inputs.count)
        var row = [Float](repeating: 0, count: matrix.columns)
        for r in 0..<matrix.rows {
            row.withUnsafeMutableBufferPointer { matrix.dequantizeRow(r, into: $0.baseAddress!) }
            for (t, input) in inputs.enumerated() {
                var sum = 0.0
                for i in 0..<matrix.columns { sum += Double(row[i]) * input[i] }
                out[t][r] = sum
            }
        }
        return out
    }

    func rmsNorm(_ x: [Double], _ weight: [Float]) -> [Double] {
        let meanSquare = x.reduce(0.0) { $0 + $1 * $1 } / Double(x.count)
        let scale = 1 / (meanSquare + Double(c.rmsEpsilon)).squareRoot()
        return x.indices.map { x[$0] * scale * Double(weight[$0]) }
    }

    /// Per-head RMSNorm (when the layer has one), then the rotation of pairs (i, i + headDim/2) by position × θ_i.
    func headwise(_ heads: [Double], _ norm: [Float]?, layer: Int, position: Int) -> [Double] {
        let hd = c.headDimension
        let base = Double(c.usesSlidingWindow(layer) ? c.slidingWindowRopeBase : c.ropeBase)
        var out = heads
        for start in stride(from: 0, to: heads.count, by: hd) {
            var head = Array(heads[start..<start + hd])
            if let norm { head = rmsNorm(head, norm) }
            for i in 0..<hd / 2 {
                let angle = Double(position) * pow(base, -2 * Double(i) / Double(hd))
                let (a, b) = (head[i], head[i + hd / 2])
                out[start + i] = a * cos(angle) - b * sin(angle)
                out[start + i + hd / 2] = a * sin(angle) + b * cos(angle)
            }
        }
        return out
    }

    func attention(_ q: [[Double]], _ k: [[Double]], _ v: [[Double]], layer: Int) -> [[Double]] {
        let hd = c.headDimension
        let group = c.headCount / c.kvHeadCount
        let window = c.usesSlidingWindow(layer) ? c.slidingWindow! : Int.max
        return q.indices.map { t in
            var out = [Double](repeating: 0, count: c.queryDimension)
            for head in 0..<c.headCount {
                let kv = head / group * hd
                let seen = Array(max(0, t - window + 1)...t)
                let scores = seen.map { s in
                    (0..<hd).reduce(0.0) { $0 + q[t][head * hd + $1] * k[s][kv + $1] } * Double(c.attentionScale)
                }
                let maximum = scores.max()!
                let weights = scores.map { exp($0 - maximum) }
                let total = weights.reduce(0, +)
                for (n, s) in seen.enumerated() {
                    for i in 0..<hd { out[head * hd + i] += weights[n] / total * v[s][kv + i] }
                }
            }
            return out
        }
    }

    func gelu(_ x: Double) -> Double {
        0.5 * x * (1 + tanh((2 / Double.pi).squareRoot() * (x + 0.044715 * x * x * x)))
    }
}
