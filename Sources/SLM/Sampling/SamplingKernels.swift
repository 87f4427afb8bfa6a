/// The loops over the whole vocabulary that every sampled token pays for, each beside the plain version it must
/// agree with (the `reference` functions, used by the tests).
///
/// They work on blocks of 64 scores reduced into eight independent lanes, a shape LLVM turns into SSE code on the
/// baseline x86-64 target and NEON on ARM. The standard library's SIMD types would say the same more briefly, but
/// their comparisons and `pointwiseMax` compile to per-lane loops through memory, 10 to 50 times slower here.
/// Scores must not be NaN.
enum SamplingKernels {
    static let blockSize = 64

    /// The largest of `count` values, `count` a positive multiple of 8.
    @inline(__always)
    static func laneMaximum(_ p: UnsafePointer<Float>, _ count: Int) -> Float {
        var m0 = p[0]
        var m1 = p[1]
        var m2 = p[2]
        var m3 = p[3]
        var m4 = p[4]
        var m5 = p[5]
        var m6 = p[6]
        var m7 = p[7]
        var j = 8
        while j < count {
            m0 = p[j] > m0 ? p[j] : m0
            m1 = p[j + 1] > m1 ? p[j + 1] : m1
            m2 = p[j + 2] > m2 ? p[j + 2] : m2
            m3 = p[j + 3] > m3 ? p[j + 3] : m3
            m4 = p[j + 4] > m4 ? p[j + 4] : m4
            m5 = p[j + 5] > m5 ? p[j + 5] : m5
            m6 = p[j + 6] > m6 ? p[j + 6] : m6
            m7 = p[j + 7] > m7 ? p[j + 7] : m7
            j += 8
        }
        m0 = m4 > m0 ? m4 : m0
        m1 = m5 > m1 ? m5 : m1
        m2 = m6 > m2 ? m6 : m2
        m3 = m7 > m3 ? m7 : m3
        m0 = m2 > m0 ? m2 : m0
        m1 = m3 > m1 ? m3 : m1
        return m1 > m0 ? m1 : m0
    }

    /// The sum of `count` values, `count` a positive multiple of 8.
    @inline(__always)
    static func laneSum(_ p: UnsafePointer<Float>, _ count: Int) -> Float {
        var s0 = p[0]
        var s1 = p[1]
        var s2 = p[2]
        var s3 = p[3]
        var s4 = p[4]
        var s5 = p[5]
        var s6 = p[6]
        var s7 = p[7]
        var j = 8
        while j < count {
            s0 += p[j]
            s1 += p[j + 1]
            s2 += p[j + 2]
            s3 += p[j + 3]
            s4 += p[j + 4]
            s5 += p[j + 5]
            s6 += p[j + 6]
            s7 += p[j + 7]
            j += 8
        }
        return ((s0 + s4) + (s2 + s6)) + ((s1 + s5) + (s3 + s7))
    }

    // MARK: maximum and argmax

    /// The largest value, -inf for an empty buffer.
    static func maximum(_ values: UnsafeBufferPointer<Float>) -> Float {
        guard let p = values.baseAddress else { return -.infinity }
        let whole = values.count & ~7
        var m = whole > 0 ? laneMaximum(p, whole) : -.infinity
        for i in whole..<values.count where p[i] > m { m = p[i] }
        return m
    }

    /// The lowest index of the largest value; 0 if every value is -inf. Greedy decoding spends all its sampling
    /// time here: one pass keeps the first block holding the largest block maximum, then a scan of that block.
    static func argmax(_ values: UnsafeBufferPointer<Float>) -> Int {
        guard let p = values.baseAddress else { return 0 }
        let n = values.count
        var best = -Float.infinity
        var bestBlock = -1
        var i = 0
        while i + blockSize <= n {
            let m = laneMaximum(p + i, blockSize)
            if m > best {
                best = m
                bestBlock = i
            }
            i += blockSize
        }
        var index = 0
        if bestBlock >= 0 {
            index = bestBlock
            while p[index] != best { index += 1 }
        }
        while i < n {
            if p[i] > best {
                best = p[i]
                index = i
            }
            i += 1
        }
        return index
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

    // MARK: selection

    /// Writes the `k` best entries of `values` into `best`, best first (ties to the lower index).
    ///
    /// One pass with a heap of the k best so far, worst at its root. After the first few thousand entries almost
    /// every value loses against the root, so the scan compares whole blocks (their maximum) against it and looks
    /// at single values only in a block that holds a winner.
    static func selectBest(
        _ k: Int, of values: UnsafeBufferPointer<Float>, into best: UnsafeMutableBufferPointer<TokenLogit>
    ) {
        let n = values.count
        precondition(k >= 1 && k <= n && best.count >= k)
        let p = values.baseAddress!
        let heap = best.baseAddress!
        for i in 0..<k { heap[i] = TokenLogit(id: Int32(truncatingIfNeeded: i), logit: p[i]) }
        heapify(heap, k)
        var floor = heap[0].logit

        // A later index never beats an equal score, so entering the heap needs a strictly greater one.
        @inline(__always) func offer(_ i: Int) {
            if p[i] > floor {
                heap[0] = TokenLogit(id: Int32(truncatingIfNeeded: i), logit: p[i])
                siftDown(heap, 0, k)
                floor = heap[0].logit
            }
        }

        let block = 32
        var i = k
        while i < n && i % block != 0 {
            offer(i)
            i += 1
        }
        while i + block <= n {
            if laneMaximum(p + i, block) > floor {
                for j in i..<(i + block) { offer(j) }
            }
            i += block
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

    /// Writes the entries of `values` that are >= `threshold` to `kept`, in index order, and returns how many. Whole
    /// blocks below the threshold are skipped after one comparison.
    static func collect(
        atLeast threshold: Float, of values: UnsafeBufferPointer<Float>, into kept: UnsafeMutablePointer<TokenLogit>
    ) -> Int {
        guard let p = values.baseAddress else { return 0 }
        let n = values.count
        var count = 0
        @inline(__always) func consider(_ i: Int) {
            if p[i] >= threshold {
                kept[count] = TokenLogit(id: Int32(truncatingIfNeeded: i), logit: p[i])
                count += 1
            }
        }
        var i = 0
        while i + blockSize <= n {
            if laneMaximum(p + i, blockSize) >= threshold {
                for j in i..<(i + blockSize) { consider(j) }
            }
            i += blockSize
        }
        while i < n {
            consider(i)
            i += 1
        }
        return count
    }

    // MARK: exponentials and the weighted draw

    /// e^x for x <= 0, within 2e-7 relative of the correctly rounded value, and exactly 0 below -87 (so a masked
    /// -inf score has weight 0). Written out so that loops over it vectorize; libm's expf is a call per value.
    ///
    /// x = n ln 2 + r with |r| <= ln(2)/2: 2^n is built in the exponent bits, e^r is its degree-7 Taylor
    /// polynomial (truncation error r^8/8! < 6e-9).
    @inline(__always)
    static func exponential(_ x: Float) -> Float {
        // Adding 1.5 * 2^23 rounds to an integer in the low mantissa bits without a rounding instruction.
        let shifted = x * 1.442_695_04 + 12_582_912
        let n = shifted - 12_582_912
        // ln 2 split in two so that n * ln2High is exact.
        let r = (x - n * 0.693_145_75) - n * 1.428_606_8e-6
        var q: Float = 1.0 / 5040
        q = q * r + 1.0 / 720
        q = q * r + 1.0 / 120
        q = q * r + 1.0 / 24
        q = q * r + 1.0 / 6
        q = q * r + 0.5
        q = q * r + 1
        q = q * r + 1
        let exponent = Int32(bitPattern: shifted.bitPattern) &- 0x4B40_0000
        let scale = Float(bitPattern: UInt32(bitPattern: (exponent &+ 127) << 23))
        return x < -87 ? 0 : q * scale
    }

    /// weights[i] = e^(values[i] - shift).
    static func exponentials(
        _ values: UnsafeBufferPointer<Float>, minus shift: Float, into weights: UnsafeMutablePointer<Float>
    ) {
        guard let p = values.baseAddress else { return }
        for i in 0..<values.count { weights[i] = exponential(p[i] - shift) }
    }

    /// Writes the sum of each block of `blockSize` weights (the last one possibly shorter) to `sums` and returns
    /// their total.
    static func sumBlocks(_ weights: UnsafeBufferPointer<Float>, into sums: UnsafeMutablePointer<Float>) -> Double {
        guard let w = weights.baseAddress else { return 0 }
        let n = weights.count
        var total = 0.0
        var b = 0
        var i = 0
        while i + blockSize <= n {
            let s = laneSum(w + i, blockSize)
            sums[b] = s
            total += Double(s)
            b += 1
            i += blockSize
        }
        if i < n {
            var s: Float = 0
            for j in i..<n { s += w[j] }
            sums[b] = s
            total += Double(s)
        }
        return total
    }

    /// The index where the running sum of `weights` first exceeds `target` (0 <= target < total): whole blocks are
    /// skipped by their sums, then one block is walked. Rounding may leave the walk short of `target` inside its
    /// block or past the last block; it then takes the last positive weight there.
    static func walk(
        _ weights: UnsafeBufferPointer<Float>, blockSums: UnsafeBufferPointer<Float>, to target: Double
    ) -> Int {
        let n = weights.count
        var sum = 0.0
        for b in blockSums.indices {
            let next = sum + Double(blockSums[b])
            if target < next {
                var last = -1
                for i in (b * blockSize)..<min(n, (b + 1) * blockSize) where weights[i] > 0 {
                    sum += Double(weights[i])
                    if target < sum { return i }
                    last = i
                }
                if last >= 0 { return last }
            }
            sum = next
        }
        return weights.lastIndex { $0 > 0 } ?? 0
    }

    // MARK: heap

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
