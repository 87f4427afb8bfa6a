import SLMKernels

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

extension Session {
    /// The forward pass for a batch of tokens at positions `position ..< position + tokens.count`, written in the
    /// order of the equations: llama's, with Gemma 3's additions where its config asks for them. Each token is one
    /// row of the scratch buffers. Matrix products run on the pool, every thread taking a share of the output rows for
    /// all tokens at once, so a weight block is read once per batch.
    func forward(_ tokens: UnsafeBufferPointer<Int32>, logits rows: LogitRows) {
        let c = model.config
        let w = model.weights
        let n = tokens.count
        let dim = c.embeddingLength
        let qDim = c.queryDimension
        let kvDim = c.kvDimension
        let ffn = c.feedForwardLength
        let headDim = c.headDimension
        let gemma = c.family == .gemma3
        // token embeddings (Gemma scales them by sqrt(dim))
        for t in 0..<n {
            w.tokenEmbedding.dequantizeRow(Int(tokens[t]), into: x + t * dim)
        }
        if c.embeddingScale != 1 {
            for i in 0..<n * dim { x[i] *= c.embeddingScale }
        }
        // the rotation angles of each position, for each RoPE base, shared by every layer of its kind
        let angleTables = [ropeAngles, ropeAngles + batchCapacity * headDim]
        for (base, table) in angleTables.enumerated() {
            for t in 0..<n {
                let angles = table + t * headDim
                let p = Float(position + t)
                for i in 0..<headDim / 2 {
                    let theta = p * inverseFrequencies[base * headDim / 2 + i]
                    angles[2 * i] = cosf(theta)
                    angles[2 * i + 1] = sinf(theta)
                }
            }
        }

        for (layer, lw) in w.layers.enumerated() {
            let layerCache = layer * contextLength * kvDim
            let sliding = c.usesSlidingWindow(layer)
            let angles = angleTables[sliding ? 1 : 0]
            // attention rmsnorm
            normalize(x, into: xb, weights: lw.attentionNorm, tokens: n)
            // q, k, v projections
            multiply((lw.query, q), (lw.key, k), (lw.value, v), input: xb, width: dim, tokens: n)
            // per-head rmsnorm of queries and keys (Gemma)
            if let queryNorm = lw.queryNorm, let keyNorm = lw.keyNorm {
                normalizeHeads(q, count: n * c.headCount, weights: queryNorm)
                normalizeHeads(k, count: n * c.kvHeadCount, weights: keyNorm)
            }
            // RoPE on queries and keys: adjacent pairs (llama) or head halves (Gemma)
            for t in 0..<n {
                let rope = gemma ? slm_rope_halves : slm_rope_pairs
                rope(q + t * qDim, Int64(c.headCount), Int64(headDim), angles + t * headDim)
                rope(k + t * kvDim, Int64(c.kvHeadCount), Int64(headDim), angles + t * headDim)
            }
            // append keys and values to the cache, head by head: (layer, kvHead, position, headDim)
            for t in 0..<n {
                for head in 0..<c.kvHeadCount {
                    let cache = layerCache + (head * contextLength + position + t) * headDim
                    slm_f32_to_f16(k + t * kvDim + head * headDim, keyCache + cache, Int64(headDim))
                    slm_f32_to_f16(v + t * kvDim + head * headDim, valueCache + cache, Int64(headDim))
                }
            }
            // grouped-query attention, causal: token t sees positions 0 ... position + t, or the last `window`
            step = .attention(
                layerCache: layerCache, start: position, tokens: n, window: sliding ? c.slidingWindow! : Int.max)
            pool.run(self)
            // output projection (and its rmsnorm, Gemma) and residual
            multiply((lw.attentionOutput, xb), input: attention, width: qDim, tokens: n)
            if let postNorm = lw.postAttentionNorm { normalize(xb, into: xb, weights: postNorm, tokens: n) }
            slm_add(x, xb, Int64(n * dim))
            // feed-forward rmsnorm
            normalize(x, into: xb, weights: lw.feedForwardNorm, tokens: n)
            // down(act(gate(x)) * up(x)), act = SiLU (llama) or GELU (Gemma)
            multiply((lw.gate, gate), (lw.up, up), input: xb, width: dim, tokens: n)
            if gemma {
                slm_geglu(gate, gate, up, Int64(n * ffn))
            } else {
                slm_swiglu(gate, gate, up, Int64(n * ffn))
            }
            multiply((lw.down, xb), input: gate, width: ffn, tokens: n)
            if let postNorm = lw.postFeedForwardNorm { normalize(xb, into: xb, weights: postNorm, tokens: n) }
            slm_add(x, xb, Int64(n * dim))
        }

        // final rmsnorm and the output projection, for the last token only
        let last = x + (n - 1) * dim
        switch rows {
        case .none:
            return
        case .all:
            normalize(last, into: xb, weights: w.outputNorm, tokens: 1)
            multiply((w.output, logits.baseAddress!), input: xb, width: dim, tokens: 1)
        case .only(let candidates):
            normalize(last, into: xb, weights: w.outputNorm, tokens: 1)
            outputRows(candidates)
        }
    }

    /// The output projection for a few rows: each a single-row product on this thread, which for the handful of
    /// tokens a constrained decoder allows costs less than waking the pool. Every other logit is -infinity.
    private func outputRows(_ candidates: UnsafeBufferPointer<Int32>) {
        let output = model.weights.output
        let dim = model.config.embeddingLength
        let out = logits.baseAddress!
        logits.update(repeating: -.infinity)
        if output.type.isBlockQuantized { slm_quantize_row_q8(xb, quantized, Int64(dim)) }
        for id in candidates {
            let row = Int64(id)
            if output.type.isBlockQuantized {
                slm_matmul_q(
                    output.type.kernelType, output.data, output.rowBytes, quantized, Int64(dim), out, 0, row, row + 1, 1)
            } else {
                slm_matmul_f(
                    output.type.kernelType, output.data, output.rowBytes, xb, Int64(dim), Int64(dim), out, 0, row,
                    row + 1, 1)
            }
        }
    }

    /// RMS-normalizes `count` consecutive heads of `headDimension` floats in place, each with the same weights.
    private func normalizeHeads(_ heads: UnsafeMutablePointer<Float>, count: Int, weights: [Float]) {
        let headDim = model.config.headDimension
        let epsilon = model.config.rmsEpsilon
        weights.withUnsafeBufferPointer { w in
            for h in 0..<count {
                slm_rmsnorm(heads + h * headDim, heads + h * headDim, w.baseAddress!, Int64(headDim), epsilon)
            }
        }
    }

    /// RMS-normalizes `tokens` rows of the residual stream.
    private func normalize(_ input: UnsafeMutablePointer<Float>, into output: UnsafeMutablePointer<Float>,
                           weights: [Float], tokens: Int) {
        let dim = model.config.embeddingLength
        let epsilon = model.config.rmsEpsilon
        weights.withUnsafeBufferPointer { w in
            for t in 0..<tokens {
                slm_rmsnorm(output + t * dim, input + t * dim, w.baseAddress!, Int64(dim), epsilon)
            }
        }
    }

    typealias Product = (matrix: WeightMatrix, output: UnsafeMutablePointer<Float>)

    /// `output = matrix · input` for each product (up to three sharing one input), for `tokens` rows of `width`
    /// inputs, in one parallel step. Block-quantized matrices take the input quantized to 8 bits, as llama.cpp's do.
    /// Fixed parameters rather than an array: this runs a few hundred times a token and must not allocate.
    private func multiply(_ first: Product, _ second: Product? = nil, _ third: Product? = nil,
                          input: UnsafeMutablePointer<Float>, width: Int, tokens: Int) {
        // packed: token t's blocks start at t * width / 32, as the kernels expect
        let stride = width / Int(SLM_QK)
        if first.matrix.type.isBlockQuantized || second?.matrix.type.isBlockQuantized == true
            || third?.matrix.type.isBlockQuantized == true
        {
            for t in 0..<tokens {
                slm_quantize_row_q8(input + t * width, quantized + t * stride, Int64(width))
            }
        }
        step = .multiply(first, second, third, input: input, width: width, tokens: tokens)
        pool.run(self)
    }
}

/// Which next-token logits a forward pass computes: none (a chunk before the last), all, or those of a few tokens.
enum LogitRows {
    case none
    case all
    case only(UnsafeBufferPointer<Int32>)
}

/// One parallel step of the forward pass, published to the pool's threads through the session.
enum ForwardStep {
    case idle
    case multiply(Session.Product, Session.Product?, Session.Product?, input: UnsafeMutablePointer<Float>, width: Int,
                  tokens: Int)
    case attention(layerCache: Int, start: Int, tokens: Int, window: Int)
}

extension Session: ParallelTask {
    /// This thread's share of the current step.
    public func execute(thread: Int, threads: Int) {
        switch step {
        case .idle:
            break
        case .multiply(let first, let second, let third, let input, let width, let tokens):
            multiplyShare(first, input: input, width: width, tokens: tokens, thread: thread, threads: threads)
            if let second {
                multiplyShare(second, input: input, width: width, tokens: tokens, thread: thread, threads: threads)
            }
            if let third {
                multiplyShare(third, input: input, width: width, tokens: tokens, thread: thread, threads: threads)
            }
        case .attention(let layerCache, let start, let tokens, let window):
            attentionShare(
                layerCache: layerCache, start: start, tokens: tokens, window: window, thread: thread, threads: threads)
        }
    }

    /// Rows of one product, a multiple of 16 per thread, for all the tokens at once.
    private func multiplyShare(_ product: Product, input: UnsafeMutablePointer<Float>, width: Int, tokens: Int,
                               thread: Int, threads: Int) {
        let (matrix, output) = product
        let rows = ThreadPool.share(of: matrix.rows, thread: thread, threads: threads, granularity: 16)
        guard !rows.isEmpty else { return }
        if matrix.type.isBlockQuantized {
            slm_matmul_q(
                matrix.type.kernelType, matrix.data, matrix.rowBytes, quantized, Int64(width), output,
                Int64(matrix.rows), Int64(rows.lowerBound), Int64(rows.upperBound), Int64(tokens))
        } else {
            slm_matmul_f(
                matrix.type.kernelType, matrix.data, matrix.rowBytes, input, Int64(width), Int64(width), output,
                Int64(matrix.rows), Int64(rows.lowerBound), Int64(rows.upperBound), Int64(tokens))
        }
    }

    /// Grouped-query attention, causal: token t sees positions 0 ... start + t, at most the last `window` of them.
    /// Each thread takes a contiguous run of (token, head) items; the heads of a run that share a KV head are served
    /// in one call, which reads that head's cache once for all of them.
    private func attentionShare(layerCache: Int, start: Int, tokens: Int, window: Int, thread: Int, threads: Int) {
        let c = model.config
        let headDim = c.headDimension
        let groupSize = c.headCount / c.kvHeadCount
        let scale = c.attentionScale
        let scratch = scores + thread * groupSize * contextLength
        let items = ThreadPool.share(of: tokens * c.headCount, thread: thread, threads: threads)
        var item = items.lowerBound
        while item < items.upperBound {
            let (t, head) = item.quotientAndRemainder(dividingBy: c.headCount)
            let group = head / groupSize
            let heads = min((group + 1) * groupSize - head, items.upperBound - item)
            let visible = min(start + t + 1, window)
            let first = start + t + 1 - visible
            let kvOffset = layerCache + (group * contextLength + first) * headDim
            slm_attention_group_f16(
                q + t * c.queryDimension + head * headDim, Int64(heads), keyCache + kvOffset, valueCache + kvOffset,
                Int64(headDim), Int64(visible), Int64(headDim), scale, scratch,
                attention + t * c.queryDimension + head * headDim)
            item += heads
        }
    }
}
