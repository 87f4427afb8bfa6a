import Foundation
import SLMKernels
import XCTest

/// Kernel speed on one thread, printed rather than asserted (timings depend on the machine and its load). Run by
/// hand, in release:
///   SLM_KERNEL_BENCH=1 swift test -c release --filter SLMKernelsTests.ThroughputTests
final class ThroughputTests: XCTestCase {
    func seconds(_ body: () -> Void) -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
    }

    /// Best of a few timed repetitions, each long enough to swamp the timer.
    func bestTime(minSeconds: Double = 0.05, _ body: () -> Void) -> Double {
        body()
        var reps = 1
        while seconds({ for _ in 0..<reps { body() } }) < minSeconds { reps *= 2 }
        var best = Double.infinity
        for _ in 0..<5 { best = min(best, seconds({ for _ in 0..<reps { body() } }) / Double(reps)) }
        return best
    }

    /// A weight matrix of `rows` x `n`, in `copies` separate copies: cycling through copies that together exceed
    /// the last-level cache measures streaming from memory, as decode of a whole model does; one copy measures the
    /// kernel with its weights in cache.
    final class Matrix {
        let type: slm_type
        let rows: Int, n: Int, rowBytes: Int, copies: Int
        let data: UnsafeMutableRawPointer

        init(_ type: slm_type, rows: Int, n: Int, copies: Int) {
            self.type = type
            self.rows = rows
            self.n = n
            self.copies = copies
            rowBytes = n / 32 * slm_type_block_bytes(type)
            data = UnsafeMutableRawPointer.allocate(byteCount: rows * rowBytes * copies, alignment: 64)
            var rng = TestRNG(seed: 99)
            let row = quantizeRow(type, rng.blockScaledFloats(n))
            row.withUnsafeBytes { r in
                for i in 0..<(rows * copies) {
                    (data + i * rowBytes).copyMemory(from: r.baseAddress!, byteCount: rowBytes)
                    // Vary each row a little so that no two are identical pages.
                    data.storeBytes(of: UInt8(truncatingIfNeeded: i), toByteOffset: i * rowBytes + rowBytes - 1,
                                    as: UInt8.self)
                }
            }
        }

        var bytes: Int { rows * rowBytes }

        deinit { data.deallocate() }
    }

    func testMeasureThroughput() throws {
        try XCTSkipUnless(ProcessInfo.processInfo.environment["SLM_KERNEL_BENCH"] == "1", "set SLM_KERNEL_BENCH=1")
        var rng = TestRNG(seed: 5)
        defer { _ = slm_set_isa_cap(SLM_ISA_AVX512_VNNI) }
        let levels = availableISALevels().filter { $0 != SLM_ISA_SCALAR }

        print("== decode matrix x vector (ntok = 1), GB/s of weight bytes, one thread")
        let shapes: [(slm_type, Int, Int)] = [
            (SLM_TYPE_Q4_1, 1536, 576), (SLM_TYPE_Q4_1, 576, 1536), (SLM_TYPE_Q4_0, 1536, 576),
            (SLM_TYPE_Q8_0, 1536, 576), (SLM_TYPE_Q8_0, 576, 1536), (SLM_TYPE_Q8_0, 49152, 576),
        ]
        for (type, rows, n) in shapes {
            let hot = Matrix(type, rows: rows, n: n, copies: 1)
            let copies = max(1, (256 << 20) / hot.bytes)
            let cold = copies > 1 ? Matrix(type, rows: rows, n: n, copies: copies) : hot
            let x = quantizeActivations(rng.blockScaledFloats(n))
            var y = [Float](repeating: 0, count: rows)
            for level in levels {
                _ = slm_set_isa_cap(level)
                let tHot = bestTime {
                    slm_matmul_q(type, hot.data, hot.rowBytes, x, Int64(n), &y, Int64(rows), 0, Int64(rows), 1)
                }
                var c = 0
                let tCold = bestTime(minSeconds: 0.2) {
                    slm_matmul_q(type, cold.data + c * cold.bytes, cold.rowBytes, x, Int64(n), &y, Int64(rows), 0,
                                 Int64(rows), 1)
                    c = (c + 1) % cold.copies
                }
                let name = String(cString: slm_isa_name(level))
                print(String(format: "%@ type %d %5d x %4d (%6.2f MB): in cache %6.1f GB/s, streamed %6.1f GB/s  [%@]",
                             "decode", type.rawValue, rows, n, Double(hot.bytes) / 1e6, Double(hot.bytes) / tHot / 1e9,
                             Double(hot.bytes) / tCold / 1e9, name))
            }
        }

        print("== prefill (ntok = 64), GFLOP/s (2 rows n ntok / time), one thread, weights in cache")
        let ntok = 64
        for (type, rows, n) in [(SLM_TYPE_Q4_1, 1536, 576), (SLM_TYPE_Q4_1, 576, 1536), (SLM_TYPE_Q4_0, 1536, 576),
                                (SLM_TYPE_Q8_0, 1536, 576), (SLM_TYPE_Q8_0, 4096, 576)] {
            let m = Matrix(type, rows: rows, n: n, copies: 1)
            var x: [slm_block_q8] = []
            for _ in 0..<ntok { x += quantizeActivations(rng.blockScaledFloats(n)) }
            var y = [Float](repeating: 0, count: rows * ntok)
            for level in levels {
                _ = slm_set_isa_cap(level)
                let t = bestTime {
                    slm_matmul_q(type, m.data, m.rowBytes, x, Int64(n), &y, Int64(rows), 0, Int64(rows), Int64(ntok))
                }
                print(String(format: "prefill type %d %5d x %4d x %d tokens: %7.1f GFLOP/s  [%@]", type.rawValue, rows,
                             n, ntok, 2.0 * Double(rows * n * ntok) / t / 1e9, String(cString: slm_isa_name(level))))
            }
        }

        print("== small token counts, Q4_1 1536 x 576, GFLOP/s")
        let m = Matrix(SLM_TYPE_Q4_1, rows: 1536, n: 576, copies: 1)
        for nt in [2, 4, 8, 16, 32, 128] {
            var x: [slm_block_q8] = []
            for _ in 0..<nt { x += quantizeActivations(rng.blockScaledFloats(576)) }
            var y = [Float](repeating: 0, count: 1536 * nt)
            var line = "ntok \(nt):"
            for level in levels {
                _ = slm_set_isa_cap(level)
                let t = bestTime {
                    slm_matmul_q(SLM_TYPE_Q4_1, m.data, m.rowBytes, x, 576, &y, 1536, 0, 1536, Int64(nt))
                }
                let gflops = 2.0 * 1536 * 576 * Double(nt) / t / 1e9
                line += String(format: "  %@ %6.1f", String(cString: slm_isa_name(level)), gflops)
            }
            print(line)
        }

        print("== activation quantization and float primitives, n = 1536")
        let v = rng.floats(1536)
        var blocks = [slm_block_q8](repeating: slm_block_q8(), count: 48)
        var out = [Float](repeating: 0, count: 1536)
        let w = rng.floats(1536, 0.5, 1.5)
        for level in availableISALevels() {
            _ = slm_set_isa_cap(level)
            let tq = bestTime { slm_quantize_row_q8(v, &blocks, 1536) }
            let tn = bestTime { slm_rmsnorm(&out, v, w, 1536, 1e-5) }
            let ts = bestTime { slm_swiglu(&out, v, w, 1536) }
            print(String(format: "%@: quantize_row_q8 %6.0f ns, rmsnorm %6.0f ns, swiglu %6.0f ns",
                         String(cString: slm_isa_name(level)), tq * 1e9, tn * 1e9, ts * 1e9))
        }
        let npos = 1024, hd = 64, stride = 192
        var k = [UInt16](repeating: 0, count: npos * stride), vv = k
        slm_f32_to_f16(rng.floats(npos * stride), &k, Int64(k.count))
        slm_f32_to_f16(rng.floats(npos * stride), &vv, Int64(vv.count))
        let q = rng.floats(hd)
        var scores = [Float](repeating: 0, count: npos)
        var o = [Float](repeating: 0, count: hd)
        for level in availableISALevels() {
            _ = slm_set_isa_cap(level)
            let t = bestTime { slm_attention_f16(q, k, vv, Int64(stride), Int64(npos), Int64(hd), 0.125, &scores, &o) }
            print(String(format: "%@: attention one head, 1024 positions, head_dim 64: %7.1f us",
                         String(cString: slm_isa_name(level)), t * 1e6))
        }
    }
}
