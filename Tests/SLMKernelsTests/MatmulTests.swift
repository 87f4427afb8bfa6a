import SLMKernels
import XCTest

/// Parity of every level's matrix products with the double-precision references, over the shapes the engine uses
/// and the awkward ones: row ranges that start mid-matrix and end off a tile boundary, output strides wider than
/// the matrix, token counts on both sides of each kernel's tile and lane-group sizes, and rows only 2-byte aligned.
final class MatmulTests: XCTestCase {
    static let tokenCounts = [1, 2, 3, 4, 5, 6, 7, 8, 16, 17, 20, 22, 33]
    static let totalRows = 13
    static let rowRange = 3..<12
    static let ldy = 18

    /// Relative tolerance on the sum of |w_k x_k|: the kernels add per-block float products, which loses at most a
    /// few ulps per block, far below this; a wrong nibble, scale or offset is of the order of the whole sum.
    static let relTol: Float = 1e-4

    func testQ4_0() { checkQuantized(SLM_TYPE_Q4_0) }
    func testQ4_1() { checkQuantized(SLM_TYPE_Q4_1) }
    func testQ8_0() { checkQuantized(SLM_TYPE_Q8_0) }
    func testQ5_0() { checkQuantized(SLM_TYPE_Q5_0) }
    func testQ5_1() { checkQuantized(SLM_TYPE_Q5_1) }
    func testQ4_K() { checkQuantized(SLM_TYPE_Q4_K) }
    func testQ5_K() { checkQuantized(SLM_TYPE_Q5_K) }
    func testQ6_K() { checkQuantized(SLM_TYPE_Q6_K) }
    func testF16() { checkFloat(SLM_TYPE_F16) }
    func testF32() { checkFloat(SLM_TYPE_F32) }

    /// Weight storage starting `misalign` bytes past a 64-byte boundary, as rows inside a memory map may.
    final class Storage {
        let raw: UnsafeMutableRawPointer
        let base: UnsafeMutableRawPointer

        init(bytes: Int, misalign: Int) {
            raw = UnsafeMutableRawPointer.allocate(byteCount: bytes + 64, alignment: 64)
            base = raw + misalign
        }

        deinit { raw.deallocate() }
    }

    func checkQuantized(_ type: slm_type, file: StaticString = #filePath, line: UInt = #line) {
        var rng = TestRNG(seed: 0x5eed_0000 + UInt64(type.rawValue))
        // K-quant rows are whole super-blocks of 256.
        let widths = slm_type_block_elems(type) == 256 ? [256, 768, 2048] : [32, 576, 1536]
        for n in widths {
            let rowBytes = n / Int(slm_type_block_elems(type)) * slm_type_block_bytes(type)
            let storage = Storage(bytes: Self.totalRows * rowBytes, misalign: 2)
            var rows: [[Float]] = []
            for r in 0..<Self.totalRows {
                let q = quantizeRow(type, rng.blockScaledFloats(n))
                q.withUnsafeBytes {
                    (storage.base + r * rowBytes).copyMemory(from: $0.baseAddress!, byteCount: rowBytes)
                }
                rows.append(dequantizeRow(type, storage.base + r * rowBytes, n))
            }
            for ntok in Self.tokenCounts {
                var x: [slm_block_q8] = []
                for _ in 0..<ntok { x += quantizeActivations(rng.blockScaledFloats(n)) }
                let xv = activationValues(x)

                var ref = [Float](repeating: .nan, count: ntok * Self.ldy)
                x.withUnsafeBufferPointer { xp in
                    ref.withUnsafeMutableBufferPointer { yp in
                        slm_matmul_q_ref(type, storage.base, rowBytes, xp.baseAddress, Int64(n), yp.baseAddress,
                                         Int64(Self.ldy), Int64(Self.rowRange.lowerBound),
                                         Int64(Self.rowRange.upperBound), Int64(ntok))
                    }
                }
                let (exact, magnitude) = swiftProducts(rows: rows, x: xv, n: n, ntok: ntok)
                for t in 0..<ntok {
                    for r in Self.rowRange {
                        let i = t * Self.ldy + r
                        XCTAssertEqual(ref[i], exact[i], accuracy: 1e-5 * magnitude[i] + 1e-6,
                                       "reference, n \(n) ntok \(ntok) row \(r) token \(t)", file: file, line: line)
                    }
                }

                forEachISALevel { _, name in
                    var y = [Float](repeating: .nan, count: ntok * Self.ldy)
                    x.withUnsafeBufferPointer { xp in
                        y.withUnsafeMutableBufferPointer { yp in
                            slm_matmul_q(type, storage.base, rowBytes, xp.baseAddress, Int64(n), yp.baseAddress,
                                         Int64(Self.ldy), Int64(Self.rowRange.lowerBound),
                                         Int64(Self.rowRange.upperBound), Int64(ntok))
                        }
                    }
                    compare(y, ref, magnitude, ntok: ntok, what: "\(name) type \(type.rawValue) n \(n) ntok \(ntok)",
                            file: file, line: line)
                }
            }
        }
    }

    func checkFloat(_ type: slm_type, file: StaticString = #filePath, line: UInt = #line) {
        var rng = TestRNG(seed: 0xf100_0000 + UInt64(type.rawValue))
        for n in [32, 37, 576, 1536] {
            let ldx = n + 3
            let rowBytes = n * slm_type_block_bytes(type)
            let storage = Storage(bytes: Self.totalRows * rowBytes, misalign: type == SLM_TYPE_F16 ? 2 : 4)
            var rows: [[Float]] = []
            for r in 0..<Self.totalRows {
                let q = quantizeRow(type, rng.floats(n))
                q.withUnsafeBytes {
                    (storage.base + r * rowBytes).copyMemory(from: $0.baseAddress!, byteCount: rowBytes)
                }
                rows.append(dequantizeRow(type, storage.base + r * rowBytes, n))
            }
            for ntok in [1, 3, 4, 7, 16] {
                let x = rng.floats(ntok * ldx)
                let xDense = (0..<ntok).flatMap { t in x[(t * ldx)..<(t * ldx + n)] }
                var ref = [Float](repeating: .nan, count: ntok * Self.ldy)
                x.withUnsafeBufferPointer { xp in
                    ref.withUnsafeMutableBufferPointer { yp in
                        slm_matmul_f_ref(type, storage.base, rowBytes, xp.baseAddress, Int64(ldx), Int64(n),
                                         yp.baseAddress, Int64(Self.ldy), Int64(Self.rowRange.lowerBound),
                                         Int64(Self.rowRange.upperBound), Int64(ntok))
                    }
                }
                let (exact, magnitude) = swiftProducts(rows: rows, x: xDense, n: n, ntok: ntok)
                for t in 0..<ntok {
                    for r in Self.rowRange {
                        let i = t * Self.ldy + r
                        XCTAssertEqual(ref[i], exact[i], accuracy: 1e-5 * magnitude[i] + 1e-6, file: file, line: line)
                    }
                }
                forEachISALevel { _, name in
                    var y = [Float](repeating: .nan, count: ntok * Self.ldy)
                    x.withUnsafeBufferPointer { xp in
                        y.withUnsafeMutableBufferPointer { yp in
                            slm_matmul_f(type, storage.base, rowBytes, xp.baseAddress, Int64(ldx), Int64(n),
                                         yp.baseAddress, Int64(Self.ldy), Int64(Self.rowRange.lowerBound),
                                         Int64(Self.rowRange.upperBound), Int64(ntok))
                        }
                    }
                    compare(y, ref, magnitude, ntok: ntok, what: "\(name) type \(type.rawValue) n \(n) ntok \(ntok)",
                            file: file, line: line)
                }
            }
        }
    }

    /// Products and sums of |terms| in double, laid out like the kernels' output.
    func swiftProducts(rows: [[Float]], x: [Float], n: Int, ntok: Int) -> ([Float], [Float]) {
        var exact = [Float](repeating: .nan, count: ntok * Self.ldy)
        var magnitude = [Float](repeating: 0, count: ntok * Self.ldy)
        x.withUnsafeBufferPointer { xp in
            for r in Self.rowRange {
                rows[r].withUnsafeBufferPointer { wp in
                    for t in 0..<ntok {
                        var s = 0.0, m = 0.0
                        for k in 0..<n {
                            let p = Double(wp[k]) * Double(xp[t * n + k])
                            s += p
                            m += abs(p)
                        }
                        exact[t * Self.ldy + r] = Float(s)
                        magnitude[t * Self.ldy + r] = Float(m)
                    }
                }
            }
        }
        return (exact, magnitude)
    }

    func compare(_ y: [Float], _ ref: [Float], _ magnitude: [Float], ntok: Int, what: String, file: StaticString,
                 line: UInt) {
        var failures = 0
        for t in 0..<ntok {
            for r in 0..<Self.ldy {
                let i = t * Self.ldy + r
                if Self.rowRange.contains(r) {
                    let tol = Self.relTol * magnitude[i] + 1e-6
                    if !(abs(y[i] - ref[i]) <= tol) {
                        failures += 1
                        if failures <= 5 {
                            XCTFail("\(what): row \(r) token \(t): \(y[i]) vs reference \(ref[i]) (tolerance \(tol))",
                                    file: file, line: line)
                        }
                    }
                } else if !y[i].isNaN {
                    failures += 1
                    if failures <= 5 {
                        XCTFail("\(what): wrote outside its rows at row \(r) token \(t)", file: file, line: line)
                    }
                }
            }
        }
        if failures > 5 { XCTFail("\(what): \(failures) mismatches in all", file: file, line: line) }
    }

    /// Q4 blocks written byte by byte against the format's definition: low nibbles are elements 0..15, high nibbles
    /// 16..31. Quantize and dequantize could agree on a wrong order; this cannot.
    func testQ4NibbleOrderAgainstFormat() {
        // d = 1.0, m = -8.0 as half floats; element j = j - 8 and element j + 16 = 7 - j, for both Q4 types.
        var q41: [UInt8] = [0x00, 0x3c, 0x00, 0xc8]
        var q40: [UInt8] = [0x00, 0x3c]
        for j in 0..<16 {
            q41.append(UInt8(j | ((15 - j) << 4)))
            q40.append(UInt8(j | ((15 - j) << 4)))
        }
        let expected: [Float] = (0..<32).map { (e: Int) -> Float in
            let v: Int = e < 16 ? e - 8 : 23 - e
            return Float(v)
        }
        for (type, bytes) in [(SLM_TYPE_Q4_1, q41), (SLM_TYPE_Q4_0, q40)] {
            bytes.withUnsafeBytes { XCTAssertEqual(dequantizeRow(type, $0.baseAddress!, 32), expected) }
            // Unit activations pick out single elements: d = 1, q = 1 at position k, s = 1.
            var x = [slm_block_q8](repeating: slm_block_q8(), count: 32)
            for k in 0..<32 {
                x[k].d = 1
                x[k].s = 1
                withUnsafeMutableBytes(of: &x[k].qs) { $0[k] = 1 }
            }
            forEachISALevel { _, name in
                var y = [Float](repeating: .nan, count: 32)
                bytes.withUnsafeBytes { w in
                    slm_matmul_q(type, w.baseAddress, bytes.count, x, 32, &y, 1, 0, 1, 32)
                }
                XCTAssertEqual(y, expected, "\(name) type \(type.rawValue)")
            }
        }
    }
}
