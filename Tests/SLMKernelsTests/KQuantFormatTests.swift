import SLMKernels
import XCTest

/// The 5-bit formats and the K-quants against the GGUF block definitions. The library decodes every format through
/// one per-32-weight unpacking; the decoder here walks each block in the order the format describes it (super-block
/// halves, runs of 32, the scale packing), so that an order both the quantizer and the dequantizer got wrong the same
/// way cannot pass.
final class KQuantFormatTests: XCTestCase {
    func testBlockSizes() {
        let expected: [(slm_type, Int, Int64)] = [
            (SLM_TYPE_Q5_0, 22, 32), (SLM_TYPE_Q5_1, 24, 32), (SLM_TYPE_Q4_K, 144, 256), (SLM_TYPE_Q5_K, 176, 256),
            (SLM_TYPE_Q6_K, 210, 256),
        ]
        for (type, bytes, elements) in expected {
            XCTAssertEqual(slm_type_block_bytes(type), bytes, "type \(type.rawValue)")
            XCTAssertEqual(slm_type_block_elems(type), elements, "type \(type.rawValue)")
        }
    }

    static let types = [SLM_TYPE_Q5_0, SLM_TYPE_Q5_1, SLM_TYPE_Q4_K, SLM_TYPE_Q5_K, SLM_TYPE_Q6_K]

    /// Random blocks (random quants, scale bytes and high bits, with sane half-float scales) decoded by the library
    /// and by `FormatDecoder` agree exactly.
    func testDequantizeMatchesFormatDefinition() {
        var rng = TestRNG(seed: 0x6b71)
        for type in Self.types {
            let blocks = 6
            let bytes = randomBlocks(type, count: blocks, rng: &rng)
            let n = blocks * Int(slm_type_block_elems(type))
            let got = bytes.withUnsafeBytes { dequantizeRow(type, $0.baseAddress!, n) }
            let want = FormatDecoder.decode(type, bytes, blocks: blocks)
            XCTAssertEqual(got, want, "type \(type.rawValue)")
        }
    }

    /// Products with unit activations pick out single weights, so every level reads each weight where the format
    /// puts it (the random blocks of the test above, through slm_matmul_q).
    func testProductsPickOutFormatWeights() {
        var rng = TestRNG(seed: 0x6b72)
        for type in Self.types {
            let n = Int(slm_type_block_elems(type)) * 2
            let bytes = randomBlocks(type, count: 2, rng: &rng)
            let want = FormatDecoder.decode(type, bytes, blocks: 2)
            // Activation k: d = 1, s = 1, a single 1 at position k.
            var x = [slm_block_q8](repeating: slm_block_q8(), count: n * n / 32)
            for k in 0..<n {
                x[k * n / 32 + k / 32].d = 1
                x[k * n / 32 + k / 32].s = 1
                withUnsafeMutableBytes(of: &x[k * n / 32 + k / 32].qs) { $0[k % 32] = 1 }
            }
            forEachISALevel { _, name in
                var y = [Float](repeating: .nan, count: n)
                bytes.withUnsafeBytes { w in
                    slm_matmul_q(type, w.baseAddress, bytes.count, x, Int64(n), &y, 1, 0, 1, Int64(n))
                }
                // With s = 1 the min of the element's 32-block is added once, as the format's value has it; the
                // other blocks contribute their min times s = 0.
                for k in 0..<n {
                    XCTAssertEqual(y[k], want[k], accuracy: abs(want[k]) * 1e-6, "\(name) type \(type.rawValue) k \(k)")
                }
            }
        }
    }

    /// Quantizing and dequantizing returns the input within a step of each format's grid.
    func testQuantizeDequantizeRoundTrip() {
        var rng = TestRNG(seed: 0x6b73)
        let n = 1024
        let x = rng.blockScaledFloats(n)
        for type in Self.types {
            let back = quantizeRow(type, x).withUnsafeBytes { dequantizeRow(type, $0.baseAddress!, n) }
            for b in 0..<(n / 32) {
                let block = Array(x[(b * 32)..<(b * 32 + 32)])
                let amax = block.map(abs).max()!
                let range = block.max()! - min(block.min()!, 0)
                // The grid of each format over a 32-block, with room for the rounding of sub-block scales (K-quants
                // quantize them to 6 or 8 bits against the super-block's largest).
                let superBlock = Array(x[(b / 8 * 256)..<min(n, b / 8 * 256 + 256)])
                let superRange = superBlock.max()! - min(superBlock.min()!, 0)
                let bound: Float
                switch type {
                case SLM_TYPE_Q5_0: bound = amax / 16 * 1.002
                case SLM_TYPE_Q5_1: bound = range / 31 * 0.5 * 1.01 + amax * 0x1p-10
                case SLM_TYPE_Q4_K: bound = range / 15 + superRange / 63
                case SLM_TYPE_Q5_K: bound = range / 31 + superRange / 63
                default: bound = amax / 32 + superBlock.map(abs).max()! / 127 * 2
                }
                for j in 0..<32 {
                    let i = b * 32 + j
                    XCTAssertLessThanOrEqual(abs(back[i] - x[i]), bound, "type \(type.rawValue) element \(i)")
                }
            }
            let zeros = [Float](repeating: 0, count: 256)
            XCTAssertEqual(quantizeRow(type, zeros).withUnsafeBytes { dequantizeRow(type, $0.baseAddress!, 256) }, zeros)
        }
    }

    /// Blocks of random bytes whose half-float scales are replaced by values in a sane range.
    func randomBlocks(_ type: slm_type, count: Int, rng: inout TestRNG) -> [UInt8] {
        let size = slm_type_block_bytes(type)
        var bytes = (0..<(size * count)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        func half(_ value: Float) -> (UInt8, UInt8) {
            let bits = Float16(value).bitPattern
            return (UInt8(bits & 0xff), UInt8(bits >> 8))
        }
        for b in 0..<count {
            let base = b * size
            let halfOffsets: [Int]
            switch type {
            case SLM_TYPE_Q5_1, SLM_TYPE_Q4_K, SLM_TYPE_Q5_K: halfOffsets = [0, 2]
            case SLM_TYPE_Q6_K: halfOffsets = [208]
            default: halfOffsets = [0]
            }
            for offset in halfOffsets {
                (bytes[base + offset], bytes[base + offset + 1]) = half(rng.float(-0.05, 0.05))
            }
        }
        return bytes
    }
}

/// GGUF's dequantization of the 5-bit formats and K-quants, loop for loop as the format's definition lays the blocks
/// out: written independently of the library.
enum FormatDecoder {
    static func decode(_ type: slm_type, _ bytes: [UInt8], blocks: Int) -> [Float] {
        var out: [Float] = []
        let size = slm_type_block_bytes(type)
        for b in 0..<blocks {
            let block = Array(bytes[(b * size)..<(b * size + size)])
            switch type {
            case SLM_TYPE_Q5_0, SLM_TYPE_Q5_1: out += q5(block, hasMin: type == SLM_TYPE_Q5_1)
            case SLM_TYPE_Q4_K, SLM_TYPE_Q5_K: out += q45K(block, five: type == SLM_TYPE_Q5_K)
            default: out += q6K(block)
            }
        }
        return out
    }

    static func half(_ b: [UInt8], _ at: Int) -> Float { halfValue(UInt16(b[at]) | UInt16(b[at + 1]) << 8) }

    static func q5(_ b: [UInt8], hasMin: Bool) -> [Float] {
        let d = half(b, 0)
        let m: Float = hasMin ? half(b, 2) : 0
        let qhAt = hasMin ? 4 : 2
        let qh = (0..<4).reduce(UInt32(0)) { $0 | UInt32(b[qhAt + $1]) << (8 * $1) }
        let qs = Array(b[(qhAt + 4)...])
        var y = [Float](repeating: 0, count: 32)
        for j in 0..<16 {
            let h0 = Int((qh >> UInt32(j)) & 1) << 4
            let h1 = Int((qh >> UInt32(j + 16)) & 1) << 4
            let x0 = Int(qs[j] & 0x0f) | h0
            let x1 = Int(qs[j] >> 4) | h1
            if hasMin {
                y[j] = Float(x0) * d + m
                y[j + 16] = Float(x1) * d + m
            } else {
                y[j] = Float(x0 - 16) * d
                y[j + 16] = Float(x1 - 16) * d
            }
        }
        return y
    }

    static func scaleMin(_ j: Int, _ q: ArraySlice<UInt8>) -> (Int, Int) {
        let s = Array(q)
        if j < 4 { return (Int(s[j] & 63), Int(s[j + 4] & 63)) }
        return (Int(s[j + 4] & 0x0f) | Int(s[j - 4] >> 6) << 4, Int(s[j + 4] >> 4) | Int(s[j] >> 6) << 4)
    }

    static func q45K(_ b: [UInt8], five: Bool) -> [Float] {
        let d = half(b, 0), dmin = half(b, 2)
        let scales = b[4..<16]
        let qh = five ? Array(b[16..<48]) : []
        var ql = Array(b[(five ? 48 : 16)...])
        var y: [Float] = []
        var u1: UInt8 = 1, u2: UInt8 = 2
        for j in stride(from: 0, to: 256, by: 64) {
            let (sc1, m1) = scaleMin(j / 32, scales)
            let (sc2, m2) = scaleMin(j / 32 + 1, scales)
            let d1 = d * Float(sc1), d2 = d * Float(sc2)
            let mn1 = dmin * Float(m1), mn2 = dmin * Float(m2)
            for l in 0..<32 {
                let high: Int = five && (qh[l] & u1) != 0 ? 16 : 0
                y.append(d1 * Float(Int(ql[l] & 0x0f) + high) - mn1)
            }
            for l in 0..<32 {
                let high: Int = five && (qh[l] & u2) != 0 ? 16 : 0
                y.append(d2 * Float(Int(ql[l] >> 4) + high) - mn2)
            }
            ql.removeFirst(32)
            u1 <<= 2
            u2 <<= 2
        }
        return y
    }

    static func q6K(_ b: [UInt8]) -> [Float] {
        let d = half(b, 208)
        var y = [Float](repeating: 0, count: 256)
        for n in 0..<2 {
            let ql = Array(b[(64 * n)..<(64 * n + 64)])
            let qh = Array(b[(128 + 32 * n)..<(128 + 32 * n + 32)])
            let sc = (0..<8).map { Int(Int8(bitPattern: b[192 + 8 * n + $0])) }
            for l in 0..<32 {
                let s = l / 16
                let q1 = Int(ql[l] & 0x0f) | Int((qh[l] >> 0) & 3) << 4
                let q2 = Int(ql[l + 32] & 0x0f) | Int((qh[l] >> 2) & 3) << 4
                let q3 = Int(ql[l] >> 4) | Int((qh[l] >> 4) & 3) << 4
                let q4 = Int(ql[l + 32] >> 4) | Int((qh[l] >> 6) & 3) << 4
                y[128 * n + l] = d * Float(sc[s]) * Float(q1 - 32)
                y[128 * n + l + 32] = d * Float(sc[s + 2]) * Float(q2 - 32)
                y[128 * n + l + 64] = d * Float(sc[s + 4]) * Float(q3 - 32)
                y[128 * n + l + 96] = d * Float(sc[s + 6]) * Float(q4 - 32)
            }
        }
        return y
    }
}
