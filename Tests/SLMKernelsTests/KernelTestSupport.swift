import SLMKernels
import XCTest

/// A small deterministic generator (SplitMix64), so that failures reproduce.
struct TestRNG {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [lo, hi).
    mutating func float(_ lo: Float, _ hi: Float) -> Float {
        lo + (hi - lo) * Float(next() >> 40) / Float(1 << 24)
    }

    mutating func floats(_ n: Int, _ lo: Float = -1, _ hi: Float = 1) -> [Float] {
        (0..<n).map { _ in float(lo, hi) }
    }

    /// Values whose magnitude changes from one 32-element block to the next, as real weights and activations do,
    /// so that per-block scales matter.
    mutating func blockScaledFloats(_ n: Int) -> [Float] {
        var out = [Float](repeating: 0, count: n)
        var i = 0
        while i < n {
            let scale = float(0.05, 3.0)
            let offset = float(-0.5, 0.5) * scale
            for j in i..<min(i + 32, n) { out[j] = offset + scale * float(-1, 1) }
            i += 32
        }
        return out
    }
}

/// The instruction-set levels this CPU runs, each paired with the name the library reports for it. Every test that
/// exercises a kernel runs once per level and restores the best level afterwards.
func availableISALevels() -> [slm_isa] {
    var levels: [slm_isa] = []
    for cap in [SLM_ISA_SCALAR, SLM_ISA_NEON, SLM_ISA_AVX2, SLM_ISA_AVX512_VNNI] {
        let got = slm_set_isa_cap(cap)
        if got == cap { levels.append(cap) }
    }
    _ = slm_set_isa_cap(SLM_ISA_AVX512_VNNI)
    return levels
}

func forEachISALevel(_ body: (slm_isa, String) throws -> Void) rethrows {
    defer { _ = slm_set_isa_cap(SLM_ISA_AVX512_VNNI) }
    for level in availableISALevels() {
        XCTAssertEqual(slm_set_isa_cap(level), level)
        XCTAssertEqual(slm_active_isa(), level)
        try body(level, String(cString: slm_isa_name(level)))
    }
}

func quantizeRow(_ type: slm_type, _ x: [Float]) -> [UInt8] {
    let n = x.count
    let bytes = n / Int(slm_type_block_elems(type)) * slm_type_block_bytes(type)
    var out = [UInt8](repeating: 0, count: bytes)
    x.withUnsafeBufferPointer { src in
        out.withUnsafeMutableBytes { dst in slm_quantize_row(type, src.baseAddress, dst.baseAddress, Int64(n)) }
    }
    return out
}

func dequantizeRow(_ type: slm_type, _ bytes: UnsafeRawPointer, _ n: Int) -> [Float] {
    var out = [Float](repeating: 0, count: n)
    out.withUnsafeMutableBufferPointer { slm_dequantize_row(type, bytes, $0.baseAddress, Int64(n)) }
    return out
}

func quantizeActivations(_ x: [Float]) -> [slm_block_q8] {
    var blocks = [slm_block_q8](repeating: slm_block_q8(), count: x.count / 32)
    x.withUnsafeBufferPointer { src in
        blocks.withUnsafeMutableBufferPointer { slm_quantize_row_q8(src.baseAddress, $0.baseAddress, Int64(x.count)) }
    }
    return blocks
}

func activationValues(_ blocks: [slm_block_q8]) -> [Float] {
    var out: [Float] = []
    out.reserveCapacity(blocks.count * 32)
    for var b in blocks {
        let d = b.d
        withUnsafeBytes(of: &b.qs) { raw in
            for q in raw.bindMemory(to: Int8.self) { out.append(d * Float(q)) }
        }
    }
    return out
}

func activationQuants(_ b: slm_block_q8) -> [Int8] {
    var copy = b
    return withUnsafeBytes(of: &copy.qs) { Array($0.bindMemory(to: Int8.self)) }
}

/// IEEE binary16 -> Float by arithmetic on the fields, independent of the library's bit manipulation.
func halfValue(_ h: UInt16) -> Float {
    let sign: Float = (h & 0x8000) != 0 ? -1 : 1
    let exp = Int((h >> 10) & 0x1f)
    let mant = Float(h & 0x3ff)
    if exp == 0 { return sign * mant * Float(sign: .plus, exponent: -24, significand: 1) }
    if exp == 31 { return mant == 0 ? sign * .infinity : .nan }
    return sign * (1 + mant / 1024) * Float(sign: .plus, exponent: exp - 15, significand: 1)
}
