import SLMKernels
import XCTest

final class FormatTests: XCTestCase {
    func testBlockSizes() {
        XCTAssertEqual(slm_type_block_bytes(SLM_TYPE_F32), 4)
        XCTAssertEqual(slm_type_block_bytes(SLM_TYPE_F16), 2)
        XCTAssertEqual(slm_type_block_bytes(SLM_TYPE_Q4_0), 18)
        XCTAssertEqual(slm_type_block_bytes(SLM_TYPE_Q4_1), 20)
        XCTAssertEqual(slm_type_block_bytes(SLM_TYPE_Q8_0), 34)
        XCTAssertEqual(slm_type_block_elems(SLM_TYPE_F32), 1)
        XCTAssertEqual(slm_type_block_elems(SLM_TYPE_F16), 1)
        XCTAssertEqual(slm_type_block_elems(SLM_TYPE_Q4_0), 32)
        XCTAssertEqual(slm_type_block_elems(SLM_TYPE_Q4_1), 32)
        XCTAssertEqual(slm_type_block_elems(SLM_TYPE_Q8_0), 32)
        XCTAssertEqual(MemoryLayout<slm_block_q8>.size, 40)
        XCTAssertEqual(MemoryLayout<slm_block_q8>.offset(of: \slm_block_q8.qs), 8)
    }

    func testISALevels() {
        let levels = availableISALevels()
        XCTAssertEqual(levels.first, SLM_ISA_SCALAR)
        XCTAssertEqual(slm_set_isa_cap(SLM_ISA_SCALAR), SLM_ISA_SCALAR)
        XCTAssertEqual(String(cString: slm_isa_name(slm_active_isa())), "scalar")
        _ = slm_set_isa_cap(SLM_ISA_AVX512_VNNI)
        XCTAssertEqual(slm_active_isa(), levels.last)
        #if arch(x86_64)
        XCTAssertFalse(levels.contains(SLM_ISA_NEON))
        #endif
        #if arch(arm64)
        XCTAssertEqual(levels, [SLM_ISA_SCALAR, SLM_ISA_NEON])
        #endif
        print("kernel levels on this machine:", levels.map { String(cString: slm_isa_name($0)) })
    }

    /// Dequantizing a quantized row returns the input within each format's rounding: half a step for Q8_0 and
    /// Q4_1; for Q4_0 up to a whole step, since the element opposite the largest one may be clamped from 8 to 7.
    func testQuantizeDequantizeRoundTrip() {
        var rng = TestRNG(seed: 7)
        let n = 1536
        let x = rng.blockScaledFloats(n)
        for type in [SLM_TYPE_F32, SLM_TYPE_F16, SLM_TYPE_Q4_0, SLM_TYPE_Q4_1, SLM_TYPE_Q8_0] {
            let q = quantizeRow(type, x)
            let back = q.withUnsafeBytes { dequantizeRow(type, $0.baseAddress!, n) }
            for b in 0..<(n / 32) {
                let block = Array(x[(b * 32)..<(b * 32 + 32)])
                let amax = block.map(abs).max()!
                let lo = block.min()!, hi = block.max()!
                let bound: Float
                switch type {
                case SLM_TYPE_F32: bound = 0
                case SLM_TYPE_F16: bound = amax * 0x1p-11
                case SLM_TYPE_Q8_0: bound = amax / 127 * 0.5 * 1.002
                case SLM_TYPE_Q4_1: bound = (hi - lo) / 15 * 0.5 * 1.002 + abs(lo) * 0x1p-10
                default: bound = amax / 8 * 1.002
                }
                for j in 0..<32 {
                    let i = b * 32 + j
                    XCTAssertLessThanOrEqual(abs(back[i] - x[i]), bound, "type \(type.rawValue) element \(i)")
                }
            }
            // An all-zero block has scale 0 and must come back as zeros, not NaN.
            let zeros = [Float](repeating: 0, count: 32)
            let z = quantizeRow(type, zeros)
            XCTAssertEqual(z.withUnsafeBytes { dequantizeRow(type, $0.baseAddress!, 32) }, zeros)
        }
    }

    /// Activation blocks: q = round(x / d) with d = max|x| / 127, s = d * sum(q), and every level produces the very
    /// same bytes as the portable one.
    func testQuantizeRowQ8() {
        var rng = TestRNG(seed: 8)
        for n in [32, 576, 1536] {
            var x = rng.blockScaledFloats(n)
            for i in 0..<32 { x[i] = 0 }  // a zero block
            if n > 64 { x[40] = 1e-30 }  // a block dominated by one tiny value
            _ = slm_set_isa_cap(SLM_ISA_SCALAR)
            let reference = quantizeActivations(x)
            _ = slm_set_isa_cap(SLM_ISA_AVX512_VNNI)
            for (b, block) in reference.enumerated() {
                let xs = x[(b * 32)..<(b * 32 + 32)]
                let amax = xs.map(abs).max()!
                XCTAssertEqual(block.d, amax / 127)
                let q = activationQuants(block)
                XCTAssertEqual(block.s, block.d * Float(q.reduce(0) { $0 + Int($1) }))
                for (j, v) in xs.enumerated() {
                    XCTAssertLessThanOrEqual(abs(Float(q[j]) * block.d - v), block.d * 0.5001, "element \(b * 32 + j)")
                    XCTAssertLessThanOrEqual(abs(Int(q[j])), 127)
                }
            }
            forEachISALevel { _, name in
                let got = quantizeActivations(x)
                for b in 0..<reference.count {
                    XCTAssertEqual(got[b].d, reference[b].d, "\(name) block \(b)")
                    XCTAssertEqual(got[b].s, reference[b].s, "\(name) block \(b)")
                    XCTAssertEqual(activationQuants(got[b]), activationQuants(reference[b]), "\(name) block \(b)")
                }
            }
        }
    }

    /// Every half converts exactly, at every level, including subnormals, infinities and NaNs.
    func testHalfToFloatAllValues() {
        let all = (0...0xffff).map { UInt16($0) }
        forEachISALevel { _, name in
            var out = [Float](repeating: 0, count: all.count)
            slm_f16_to_f32(all, &out, Int64(all.count))
            var bad = 0
            for h in all {
                let want = halfValue(h), got = out[Int(h)]
                let ok = want.isNaN ? got.isNaN : (got == want && got.sign == want.sign)
                if !ok {
                    bad += 1
                    if bad < 5 { XCTFail("\(name): half \(String(h, radix: 16)) gave \(got), expected \(want)") }
                }
            }
            XCTAssertEqual(bad, 0, name)
        }
    }

    /// Float -> half rounds to the nearest half, ties to the even one, overflows to infinity from 65520 and
    /// underflows gradually; checked against neighbours computed independently, at every level.
    func testFloatToHalf() {
        var rng = TestRNG(seed: 9)
        var xs: [Float] = [0, -0.0, 1, -1, 65504, 65519.99, 65520, -65520, 1e9, .infinity, -.infinity,
                           0x1p-14, 0x1p-24, 0x1p-25, 0x1.8p-25, 0x1.0000_02p-25, 0x1p-26, 3 * 0x1p-25, 0x1p-133,
                           1 + 0x1p-11, 1 + 3 * 0x1p-11, 0x1.ffcp-15, 0x1.ffep-15, 2049, 2051]
        for _ in 0..<4000 {
            let e = Int(rng.next() % 44) - 28
            xs.append(rng.float(-2, 2) * Float(sign: .plus, exponent: e, significand: 1))
        }
        forEachISALevel { _, name in
            var h = [UInt16](repeating: 0, count: xs.count)
            slm_f32_to_f16(xs, &h, Int64(xs.count))
            for (i, x) in xs.enumerated() {
                let got = halfValue(h[i])
                XCTAssertEqual(got.sign, x.sign, "\(name) \(x)")
                if abs(x) >= 65520 {
                    XCTAssertEqual(got, x.sign == .minus ? -.infinity : .infinity, "\(name) \(x)")
                    continue
                }
                // Neighbouring halves by magnitude bits; the result must be no farther than either.
                let mag = h[i] & 0x7fff
                let err = abs(Double(got) - Double(x))
                if mag < 0x7bff {
                    let up = abs(Double(halfValue(mag + 1)) - Double(abs(x)))
                    XCTAssertLessThanOrEqual(err, up, "\(name) \(x)")
                    if err == up { XCTAssertEqual(mag & 1, 0, "\(name) \(x): ties go to even") }
                }
                if mag > 0 {
                    XCTAssertLessThanOrEqual(err, abs(Double(halfValue(mag - 1)) - Double(abs(x))), "\(name) \(x)")
                    if err == abs(Double(halfValue(mag - 1)) - Double(abs(x))) {
                        XCTAssertEqual(mag & 1, 0, "\(name) \(x): ties go to even")
                    }
                }
            }
            var nanOut = [UInt16](repeating: 0, count: 1)
            slm_f32_to_f16([Float.nan], &nanOut, 1)
            XCTAssertTrue(halfValue(nanOut[0]).isNaN, name)
        }
    }
}
