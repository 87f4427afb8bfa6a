import SLMKernels

/// What the engine's kernels run on.
public enum Kernels {
    /// The instruction set in use ("avx512vnni", "avx2", "neon", "scalar").
    public static var instructionSet: String { String(cString: slm_isa_name(slm_active_isa())) }
}
