import SLMKernels

/// Element types of GGUF tensors, with the ids the format gives them. The engine computes with the types that have
/// kernels (`isSupported`); the others are known so that a file holding them is described precisely rather than
/// called corrupt.
public enum TensorType: UInt32, CaseIterable, Sendable {
    case f32 = 0
    case f16 = 1
    case q4_0 = 2
    case q4_1 = 3
    case q5_0 = 6
    case q5_1 = 7
    case q8_0 = 8
    case q8_1 = 9
    case q2_K = 10
    case q3_K = 11
    case q4_K = 12
    case q5_K = 13
    case q6_K = 14
    case q8_K = 15
    case i8 = 24
    case i16 = 25
    case i32 = 26
    case i64 = 27
    case f64 = 28
    case bf16 = 30

    public var name: String {
        switch self {
        case .f32: "F32"
        case .f16: "F16"
        case .q4_0: "Q4_0"
        case .q4_1: "Q4_1"
        case .q5_0: "Q5_0"
        case .q5_1: "Q5_1"
        case .q8_0: "Q8_0"
        case .q8_1: "Q8_1"
        case .q2_K: "Q2_K"
        case .q3_K: "Q3_K"
        case .q4_K: "Q4_K"
        case .q5_K: "Q5_K"
        case .q6_K: "Q6_K"
        case .q8_K: "Q8_K"
        case .i8: "I8"
        case .i16: "I16"
        case .i32: "I32"
        case .i64: "I64"
        case .f64: "F64"
        case .bf16: "BF16"
        }
    }

    /// Elements per block and bytes per block, from the format's block definitions.
    public var blockLayout: (elements: Int, bytes: Int) {
        switch self {
        case .f32: (1, 4)
        case .f16: (1, 2)
        case .bf16: (1, 2)
        case .q4_0: (32, 18)
        case .q4_1: (32, 20)
        case .q5_0: (32, 22)
        case .q5_1: (32, 24)
        case .q8_0: (32, 34)
        case .q8_1: (32, 36)
        case .q2_K: (256, 84)
        case .q3_K: (256, 110)
        case .q4_K: (256, 144)
        case .q5_K: (256, 176)
        case .q6_K: (256, 210)
        case .q8_K: (256, 292)
        case .i8: (1, 1)
        case .i16: (1, 2)
        case .i32: (1, 4)
        case .i64: (1, 8)
        case .f64: (1, 8)
        }
    }

    /// Whether the engine has kernels for this type.
    public var isSupported: Bool {
        switch self {
        case .f32, .f16, .q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q4_K, .q5_K, .q6_K: true
        default: false
        }
    }

    /// Whether weights of this type are multiplied with activations quantized to 8 bits.
    var isBlockQuantized: Bool { blockLayout.elements > 1 }

    var kernelType: slm_type { slm_type(rawValue: rawValue) }

    /// Bytes of a row of `elements` elements, or nil when the row does not divide into whole blocks.
    public func rowBytes(_ elements: Int) -> Int? {
        let layout = blockLayout
        guard elements % layout.elements == 0 else { return nil }
        return elements / layout.elements * layout.bytes
    }
}
