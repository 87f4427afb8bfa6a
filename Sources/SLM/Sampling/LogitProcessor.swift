/// One step of the decoding chain: edits the scores of the live tokens (or narrows which tokens are live) before a
/// `LogitSampler` picks one. Penalties, temperature, top-k, top-p, min-p and constrained decoding (a processor
/// that sets rejected tokens to `-Float.infinity` with `Logits.updateEach`) are each one processor. A processor must
/// leave at least one token with a score above -inf: the samplers trap on a step where every token is masked.
public protocol LogitProcessor {
    mutating func process(_ logits: inout Logits)
    /// The chain picked `token`; processors with history (penalties, a grammar) advance their state.
    mutating func didSample(token: Int32)
    /// `token` is part of the prompt or context. It enters penalty windows but must not advance a grammar, which
    /// only constrains what the model generates.
    mutating func didObservePrompt(token: Int32)
    /// Forget all history, as for a new conversation.
    mutating func reset()
}

extension LogitProcessor {
    public mutating func didSample(token: Int32) {}
    public mutating func didObservePrompt(token: Int32) {}
    public mutating func reset() {}
}

/// The last step of the chain: picks one token from the live tokens of `logits`. It takes the working set `inout`
/// only to reuse its scratch storage; the pick never depends on what a previous call left there.
public protocol LogitSampler {
    mutating func sample(_ logits: inout Logits) -> Int32
}
