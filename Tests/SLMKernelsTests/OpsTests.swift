import Foundation
import SLMKernels
import XCTest

/// Float primitives against plain double-precision Swift, at every level, on lengths with and without vector tails.
final class OpsTests: XCTestCase {
    static let lengths = [1, 7, 8, 15, 16, 17, 33, 64, 576, 1000, 1536]

    func testDot() {
        var rng = TestRNG(seed: 11)
        forEachISALevel { _, name in
            for n in Self.lengths {
                let a = rng.floats(n), b = rng.floats(n)
                var exact = 0.0, mag = 0.0
                for i in 0..<n {
                    exact += Double(a[i]) * Double(b[i])
                    mag += abs(Double(a[i]) * Double(b[i]))
                }
                XCTAssertEqual(Double(slm_dot_f32(a, b, Int64(n))), exact, accuracy: 1e-6 * mag, "\(name) n \(n)")
            }
        }
    }

    func testRMSNorm() {
        var rng = TestRNG(seed: 12)
        forEachISALevel { _, name in
            for n in Self.lengths {
                let x = rng.floats(n, -3, 3), w = rng.floats(n, 0.5, 1.5)
                let eps: Float = 1e-5
                let ms = x.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(n)
                let scale = 1 / (ms + Double(eps)).squareRoot()
                var out = [Float](repeating: .nan, count: n)
                slm_rmsnorm(&out, x, w, Int64(n), eps)
                for i in 0..<n {
                    let want = Double(x[i]) * scale * Double(w[i])
                    XCTAssertEqual(Double(out[i]), want, accuracy: 1e-5 * abs(want) + 1e-7, "\(name) n \(n) i \(i)")
                }
                // In place, as the header allows.
                var inPlace = x
                inPlace.withUnsafeMutableBufferPointer { slm_rmsnorm($0.baseAddress, $0.baseAddress, w, Int64(n), eps) }
                XCTAssertEqual(inPlace, out, "\(name) in place")
            }
        }
    }

    func testSwiGLU() {
        var rng = TestRNG(seed: 13)
        forEachISALevel { _, name in
            for n in Self.lengths {
                var g = rng.floats(n, -12, 12)
                let u = rng.floats(n, -2, 2)
                // Far tails of the sigmoid, where exp overflows or underflows.
                let extremes: [Float] = [-100, -88.5, -87.5, 87.5, 88.5, 100, 0]
                for (i, e) in extremes.enumerated() where i < n { g[n - 1 - i] = e }
                var out = [Float](repeating: .nan, count: n)
                slm_swiglu(&out, g, u, Int64(n))
                for i in 0..<n {
                    let gd = Double(g[i])
                    let want = gd / (1 + Foundation.exp(-gd)) * Double(u[i])
                    XCTAssertEqual(Double(out[i]), want, accuracy: 1e-6 * abs(want) + 1e-30,
                                   "\(name) n \(n) g \(g[i]) u \(u[i])")
                }
                var inPlace = g
                inPlace.withUnsafeMutableBufferPointer { slm_swiglu($0.baseAddress, $0.baseAddress, u, Int64(n)) }
                XCTAssertEqual(inPlace, out, "\(name) in place")
            }
        }
    }

    /// GELU (tanh form) against its textbook definition in double (absolutely, as 1 + tanh cancels in the negative
    /// tail), and against the equal sigmoid form (relatively), including the tails where z overflows exp.
    func testGeGLU() {
        var rng = TestRNG(seed: 17)
        forEachISALevel { _, name in
            for n in Self.lengths {
                var g = rng.floats(n, -8, 8)
                let u = rng.floats(n, -2, 2)
                let extremes: [Float] = [-100, -30, -6, 6, 30, 100, 0]
                for (i, e) in extremes.enumerated() where i < n { g[n - 1 - i] = e }
                var out = [Float](repeating: .nan, count: n)
                slm_geglu(&out, g, u, Int64(n))
                for i in 0..<n {
                    let x = Double(g[i])
                    let gelu = 0.5 * x * (1 + Foundation.tanh((2 / Double.pi).squareRoot() * (x + 0.044715 * x * x * x)))
                    XCTAssertEqual(Double(out[i]), gelu * Double(u[i]), accuracy: 1e-6 * (abs(x) + 1),
                                   "\(name) n \(n) g \(g[i]) u \(u[i])")
                    let z = 2 * (2 / Double.pi).squareRoot() * (x + 0.044715 * x * x * x)
                    let want = x / (1 + Foundation.exp(-z)) * Double(u[i])
                    XCTAssertEqual(Double(out[i]), want, accuracy: 1e-5 * abs(want) + 1e-30,
                                   "\(name) n \(n) g \(g[i]) u \(u[i])")
                }
            }
        }
    }

    /// NeoX rotation: pair i is (x[i], x[i + d/2]).
    func testRopeHalves() {
        var rng = TestRNG(seed: 18)
        let headDim = 8, nheads = 2
        let x = rng.floats(nheads * headDim, -2, 2)
        var cs = [Float](repeating: 0, count: headDim)
        for i in 0..<(headDim / 2) {
            let a = rng.float(-3, 3)
            cs[2 * i] = Foundation.cos(a)
            cs[2 * i + 1] = Foundation.sin(a)
        }
        var y = x
        slm_rope_halves(&y, Int64(nheads), Int64(headDim), cs)
        for h in 0..<nheads {
            for i in 0..<(headDim / 2) {
                let a = x[h * headDim + i], b = x[h * headDim + i + headDim / 2]
                let c = cs[2 * i], s = cs[2 * i + 1]
                XCTAssertEqual(y[h * headDim + i], a * c - b * s, accuracy: 1e-6)
                XCTAssertEqual(y[h * headDim + i + headDim / 2], a * s + b * c, accuracy: 1e-6)
            }
        }
    }

    func testAdd() {
        var rng = TestRNG(seed: 14)
        forEachISALevel { _, name in
            for n in Self.lengths {
                let x = rng.floats(n)
                let y0 = rng.floats(n)
                var y = y0
                slm_add(&y, x, Int64(n))
                XCTAssertEqual(y, zip(y0, x).map { $0 + $1 }, "\(name) n \(n)")
            }
        }
    }

    func testSoftmax() {
        var rng = TestRNG(seed: 15)
        forEachISALevel { _, name in
            for n in Self.lengths {
                var x = rng.floats(n, -30, 30)
                if n > 3 { x[2] = -1e4 }  // underflows to 0 after subtracting the max
                let mx = Double(x.max()!)
                let e = x.map { Foundation.exp(Double($0) - mx) }
                let sum = e.reduce(0, +)
                var p = x
                slm_softmax(&p, Int64(n))
                for i in 0..<n {
                    let want = e[i] / sum
                    XCTAssertEqual(Double(p[i]), want, accuracy: 1e-5 * want + 1e-37, "\(name) n \(n) i \(i)")
                }
                XCTAssertEqual(p.reduce(0.0) { $0 + Double($1) }, 1, accuracy: 1e-5, "\(name) n \(n)")
            }
            // Large equal inputs: no overflow, uniform output.
            var big = [Float](repeating: 1e30, count: 20)
            slm_softmax(&big, 20)
            for v in big { XCTAssertEqual(v, 1.0 / 20, accuracy: 1e-7, name) }
        }
    }

    func testRopePairs() {
        var rng = TestRNG(seed: 16)
        forEachISALevel { _, name in
            for headDim in [2, 6, 16, 64, 128] {
                let nheads = 3
                let x = rng.floats(nheads * headDim, -2, 2)
                var cs = [Float](repeating: 0, count: headDim)
                var angles: [Double] = []
                for i in 0..<(headDim / 2) {
                    let a = Double(rng.float(-10, 10))
                    angles.append(a)
                    cs[2 * i] = Float(Foundation.cos(a))
                    cs[2 * i + 1] = Float(Foundation.sin(a))
                }
                var y = x
                slm_rope_pairs(&y, Int64(nheads), Int64(headDim), cs)
                for h in 0..<nheads {
                    for i in 0..<(headDim / 2) {
                        let a = Double(x[h * headDim + 2 * i]), b = Double(x[h * headDim + 2 * i + 1])
                        let c = Double(cs[2 * i]), s = Double(cs[2 * i + 1])
                        let ya = Double(y[h * headDim + 2 * i]), yb = Double(y[h * headDim + 2 * i + 1])
                        XCTAssertEqual(ya, a * c - b * s, accuracy: 1e-6, "\(name) head_dim \(headDim)")
                        XCTAssertEqual(yb, a * s + b * c, accuracy: 1e-6, "\(name) head_dim \(headDim)")
                        XCTAssertEqual(ya * ya + yb * yb, a * a + b * b, accuracy: 1e-5 * (a * a + b * b) + 1e-6)
                    }
                }
            }
            // A quarter turn takes (1, 0) to (0, 1) and (0, 1) to (-1, 0).
            var v: [Float] = [1, 0, 0, 1]
            slm_rope_pairs(&v, 1, 4, [0, 1, 0, 1])
            XCTAssertEqual(v, [0, 1, -1, 0], name)
        }
    }

    func testAttention() {
        var rng = TestRNG(seed: 17)
        forEachISALevel { _, name in
            for headDim in [64, 8, 24, 100] {
                for npos in [1, 2, 5, 37, 300] {
                    let kvStride = headDim * 3 + 4  // several heads interleaved per position
                    let q = rng.floats(headDim, -1, 1)
                    var kf = rng.floats(npos * kvStride, -2, 2), vf = rng.floats(npos * kvStride, -2, 2)
                    var k = [UInt16](repeating: 0, count: kf.count), v = k
                    slm_f32_to_f16(kf, &k, Int64(kf.count))
                    slm_f32_to_f16(vf, &v, Int64(vf.count))
                    kf = k.map(halfValue)
                    vf = v.map(halfValue)
                    let scale = 1 / Float(headDim).squareRoot()

                    var s = (0..<npos).map { t in
                        (0..<headDim).reduce(0.0) { $0 + Double(q[$1]) * Double(kf[t * kvStride + $1]) } * Double(scale)
                    }
                    let mx = s.max()!
                    s = s.map { Foundation.exp($0 - mx) }
                    let sum = s.reduce(0, +)
                    let want = (0..<headDim).map { i in
                        (0..<npos).reduce(0.0) { $0 + s[$1] / sum * Double(vf[$1 * kvStride + i]) }
                    }

                    var scores = [Float](repeating: .nan, count: npos)
                    var out = [Float](repeating: .nan, count: headDim)
                    slm_attention_f16(q, k, v, Int64(kvStride), Int64(npos), Int64(headDim), scale, &scores, &out)
                    for i in 0..<headDim {
                        XCTAssertEqual(Double(out[i]), want[i], accuracy: 1e-5,
                                       "\(name) head_dim \(headDim) npos \(npos) i \(i)")
                    }
                    XCTAssertEqual(scores.reduce(0.0) { $0 + Double($1) }, 1, accuracy: 1e-5)
                }
            }
        }
    }

    /// A group of heads sharing one KV head gives, head for head, what single-head attention gives, across chunk
    /// boundaries (the x86 levels walk positions in chunks of 64).
    func testGroupAttentionEqualsSingleHeads() {
        var rng = TestRNG(seed: 23)
        forEachISALevel { _, name in
            for (headDim, nq) in [(64, 3), (64, 1), (24, 4), (100, 2)] {
                for npos in [1, 7, 64, 65, 200] {
                    let kvStride = headDim * 2 + 8
                    let q = rng.floats(nq * headDim, -1, 1)
                    let kf = rng.floats(npos * kvStride, -2, 2), vf = rng.floats(npos * kvStride, -2, 2)
                    var k = [UInt16](repeating: 0, count: kf.count), v = k
                    slm_f32_to_f16(kf, &k, Int64(kf.count))
                    slm_f32_to_f16(vf, &v, Int64(vf.count))
                    let scale = 1 / Float(headDim).squareRoot()

                    var scores = [Float](repeating: .nan, count: nq * npos)
                    var out = [Float](repeating: .nan, count: nq * headDim)
                    slm_attention_group_f16(
                        q, Int64(nq), k, v, Int64(kvStride), Int64(npos), Int64(headDim), scale, &scores, &out)
                    for h in 0..<nq {
                        var single = [Float](repeating: .nan, count: headDim)
                        var singleScores = [Float](repeating: .nan, count: npos)
                        Array(q[h * headDim..<(h + 1) * headDim]).withUnsafeBufferPointer { qh in
                            slm_attention_f16(
                                qh.baseAddress!, k, v, Int64(kvStride), Int64(npos), Int64(headDim), scale,
                                &singleScores, &single)
                        }
                        for i in 0..<headDim {
                            XCTAssertEqual(out[h * headDim + i], single[i], accuracy: 1e-5,
                                           "\(name) head_dim \(headDim) heads \(nq) npos \(npos) head \(h) i \(i)")
                        }
                    }
                }
            }
        }
    }
}
