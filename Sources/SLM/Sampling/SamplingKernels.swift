#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The loops over the whole vocabulary that every sampled token pays for, each with the plain scalar version it
/// must agree with (the `reference` functions, used by the tests).
enum SamplingKernels {
    /// The lowest index of the largest value; -inf everywhere gives 0, NaNs are never picked.
    ///
    /// Greedy decoding spends all its sampling time here, so the maximum is found eight lanes at a time and only
    /// then located with a scan that stops at its first occurrence.
    static func argmax(_ values: UnsafeBufferPointer<Float>) -> Int {
        let m = maximum(values)
        if let i = values.firstIndex(of: m) { return i }
        return argmaxReference(values)
    }

    static func argmaxReference(_ values: UnsafeBufferPointer<Float>) -> Int {
        var best = -Float.infinity
        var index = 0
        for i in values.indices where values[i] > best {
            best = values[i]
            index = i
        }
        return index
    }

    /// The largest value, -inf for an empty buffer.
    static func maximum(_ values: UnsafeBufferPointer<Float>) -> Float {
        guard let base = values.baseAddress else { return -.infinity }
        let raw = UnsafeRawPointer(base)
        let n = values.count
        var lanes = SIMD8<Float>(repeating: -.infinity)
        var i = 0
        while i + 8 <= n {
            lanes = pointwiseMax(lanes, raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self))
            i += 8
        }
        var m = lanes.max()
        while i < n {
            if values[i] > m { m = values[i] }
            i += 1
        }
        return m
    }

    /// Writes the `k` best entries of `values` into `best`, best first (ties to the lower index).
    ///
    /// One pass with a heap of the k best so far, worst at the root. After the first few thousand entries almost
    /// every value loses against the root, so the scan tests eight values at once against it and only looks at
    /// single values when one of the eight would enter the heap.
    static func selectBest(_ k: Int, of values: UnsafeBufferPointer<Float>, into best: UnsafeMutableBufferPointer<TokenLogit>) {
        let n = values.count
        precondition(k >= 1 && k <= n && best.count >= k)
        let heap = best.baseAddress!
        for i in 0..<k { heap[i] = TokenLogit(id: Int32(truncatingIfNeeded: i), logit: values[i]) }
        heapify(heap, k)
        var floor = heap[0].logit

        // A later index never beats an equal score, so entering the heap needs a strictly greater one.
        @inline(__always) func offer(_ i: Int) {
            let v = values[i]
            if v > floor {
                heap[0] = TokenLogit(id: Int32(truncatingIfNeeded: i), logit: v)
                siftDown(heap, 0, k)
                floor = heap[0].logit
            }
        }

        let raw = UnsafeRawPointer(values.baseAddress!)
        var i = k
        while i < n && i % 8 != 0 {
            offer(i)
            i += 1
        }
        while i + 8 <= n {
            let chunk = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            if any(chunk .> SIMD8(repeating: floor)) {
                for j in i..<(i + 8) { offer(j) }
            }
            i += 8
        }
        while i < n {
            offer(i)
            i += 1
        }
        sortHeapBestFirst(heap, k)
    }

    static func selectBestReference(_ k: Int, of values: UnsafeBufferPointer<Float>) -> [TokenLogit] {
        let all = values.indices.map { TokenLogit(id: Int32($0), logit: values[$0]) }
        return Array(all.sorted(by: TokenLogit.ranksAbove).prefix(k))
    }

    /// Moves the `k` best of `candidates` to its front, best first.
    static func selectBestInPlace(_ k: Int, of candidates: UnsafeMutableBufferPointer<TokenLogit>) {
        let n = candidates.count
        precondition(k >= 1 && k <= n)
        let heap = candidates.baseAddress!
        heapify(heap, k)
        for j in k..<n where TokenLogit.ranksAbove(heap[j], heap[0]) {
            heap.swapAt(0, j)
            siftDown(heap, 0, k)
        }
        sortHeapBestFirst(heap, k)
    }

    /// Sorts best first in place. A heap sort, because the standard library's sort allocates a merge buffer.
    static func sortBestFirst(_ candidates: UnsafeMutableBufferPointer<TokenLogit>) {
        guard let heap = candidates.baseAddress, candidates.count > 1 else { return }
        heapify(heap, candidates.count)
        sortHeapBestFirst(heap, candidates.count)
    }

    /// Writes exp(values[i] - shift) to `weights` and returns their sum, added in index order.
    static func exponentials(
        _ values: UnsafeBufferPointer<Float>, minus shift: Float, into weights: UnsafeMutablePointer<Float>
    ) -> Double {
        var total = 0.0
        for i in values.indices {
            let w = expf(values[i] - shift)
            weights[i] = w
            total += Double(w)
        }
        return total
    }

    /// The first index at which the running sum of `weights`, added in index order as `exponentials` did,
    /// exceeds `target`; the last positive weight if rounding leaves `target` at the very end.
    static func walk(_ weights: UnsafeBufferPointer<Float>, to target: Double) -> Int {
        var sum = 0.0
        var lastPositive = 0
        for i in weights.indices where weights[i] > 0 {
            sum += Double(weights[i])
            if target < sum { return i }
            lastPositive = i
        }
        return lastPositive
    }

    // A heap whose root is the worst entry: no child ranks below its parent.

    private static func heapify(_ heap: UnsafeMutablePointer<TokenLogit>, _ n: Int) {
        var i = n / 2 - 1
        while i >= 0 {
            siftDown(heap, i, n)
            i -= 1
        }
    }

    @inline(__always)
    private static func siftDown(_ heap: UnsafeMutablePointer<TokenLogit>, _ start: Int, _ n: Int) {
        var i = start
        let item = heap[i]
        while true {
            var child = 2 * i + 1
            if child >= n { break }
            if child + 1 < n && TokenLogit.ranksAbove(heap[child], heap[child + 1]) { child += 1 }
            if !TokenLogit.ranksAbove(item, heap[child]) { break }
            heap[i] = heap[child]
            i = child
        }
        heap[i] = item
    }

    /// Turns a worst-at-root heap into a best-first array by moving the root to the back n-1 times.
    private static func sortHeapBestFirst(_ heap: UnsafeMutablePointer<TokenLogit>, _ n: Int) {
        var end = n - 1
        while end > 0 {
            heap.swapAt(0, end)
            siftDown(heap, 0, end)
            end -= 1
        }
    }
}

extension UnsafeMutablePointer {
    @inline(__always)
    fileprivate func swapAt(_ i: Int, _ j: Int) {
        let t = self[i]
        self[i] = self[j]
        self[j] = t
    }
}
