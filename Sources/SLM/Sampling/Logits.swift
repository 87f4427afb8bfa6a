/// A token that is still a candidate, with its current score.
public struct TokenLogit: Equatable, Sendable {
    public var id: Int32
    public var logit: Float

    public init(id: Int32, logit: Float) {
        self.id = id
        self.logit = logit
    }

    /// The order of every candidate list: higher score first and, among equal scores, lower id first, so that
    /// top-k, top-p and the greedy pick all break ties the same way.
    @inline(__always)
    static func ranksAbove(_ a: TokenLogit, _ b: TokenLogit) -> Bool {
        a.logit > b.logit || (a.logit == b.logit && a.id < b.id)
    }
}

/// The working set of one decoding step.
///
/// It starts as the model's raw scores, one per vocabulary entry, in a buffer the caller owns and the chain edits
/// in place. A truncating step (top-k, top-p, min-p) narrows it to a candidate list of (id, score) pairs, and the
/// steps after it touch only those: after a top-40 nothing reads the 49k raw floats again. Candidate and scratch
/// storage are allocated once, for the whole vocabulary, and reused every token.
///
/// Once narrowed, the candidate list holds the current scores and `raw` is stale (later steps do not write it).
public struct Logits {
    public let vocabularySize: Int
    /// (vocabularySize) The scores as loaded, edited in place by the steps that ran before narrowing. Set by `load`;
    /// `SamplingChain` empties it again at the end of each step.
    public private(set) var raw: UnsafeMutableBufferPointer<Float>
    /// (vocabularySize) Candidate storage; the first `candidateCount` entries are live when `isNarrowed`.
    var storage: [TokenLogit]
    var candidateCount: Int
    public internal(set) var isNarrowed: Bool
    /// Whether the live candidates are in `TokenLogit.ranksAbove` order (best first).
    public internal(set) var isSorted: Bool
    /// (vocabularySize) Per-token scratch, for the weights of a weighted draw.
    var scratch: [Float]
    /// (vocabularySize / blockSize, rounded up) Sums of blocks of `scratch`.
    var blockSums: [Float]

    public init(vocabularySize: Int) {
        precondition(vocabularySize > 0 && vocabularySize <= Int(Int32.max), "vocabulary size \(vocabularySize)")
        self.vocabularySize = vocabularySize
        raw = UnsafeMutableBufferPointer(start: nil, count: 0)
        storage = Array(repeating: TokenLogit(id: 0, logit: 0), count: vocabularySize)
        candidateCount = 0
        isNarrowed = false
        isSorted = false
        scratch = Array(repeating: 0, count: vocabularySize)
        blockSums = Array(
            repeating: 0, count: (vocabularySize + SamplingKernels.blockSize - 1) / SamplingKernels.blockSize)
    }

    /// Starts a step on `raw`, which must stay valid until the step's pick; every token is live again.
    public mutating func load(_ raw: UnsafeMutableBufferPointer<Float>) {
        precondition(raw.count == vocabularySize, "\(raw.count) logits for a vocabulary of \(vocabularySize)")
        self.raw = raw
        candidateCount = 0
        isNarrowed = false
        isSorted = false
    }

    /// Makes every token live again, with the scores in `raw`. Only for a step that narrowed without editing scores
    /// and wants a wider selection.
    mutating func widen() {
        candidateCount = 0
        isNarrowed = false
        isSorted = false
    }

    /// Drops the reference to the caller's buffer once a step is over.
    mutating func unload() {
        raw = UnsafeMutableBufferPointer(start: nil, count: 0)
    }

    /// The number of live tokens: the candidate count once narrowed, else the whole vocabulary.
    public var count: Int { isNarrowed ? candidateCount : vocabularySize }

    /// The live candidates (best first when `isSorted`), or nil while every token is live.
    public func withCandidates<R>(_ body: (UnsafeBufferPointer<TokenLogit>) throws -> R) rethrows -> R? {
        guard isNarrowed else { return nil }
        return try storage.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[..<candidateCount])) }
    }

    /// Visits every live token; `body` may change its score, e.g. to `-Float.infinity` to forbid it.
    public mutating func updateEach(_ body: (_ id: Int32, _ logit: inout Float) -> Void) {
        if isNarrowed {
            let n = candidateCount
            storage.withUnsafeMutableBufferPointer { c in
                for i in 0..<n { body(c[i].id, &c[i].logit) }
            }
            isSorted = false
        } else {
            for i in 0..<vocabularySize { body(Int32(truncatingIfNeeded: i), &raw[i]) }
        }
    }

    /// Changes the score of `token` if it is live; a narrowed list is searched linearly, which is cheap because
    /// narrowing steps run after the per-token edits in the standard chain.
    public mutating func update(token: Int32, _ body: (inout Float) -> Void) {
        precondition(token >= 0 && Int(token) < vocabularySize, "token \(token) outside the vocabulary")
        guard isNarrowed else { return body(&raw[Int(token)]) }
        let n = candidateCount
        let found = storage.withUnsafeMutableBufferPointer { c -> Bool in
            for i in 0..<n where c[i].id == token {
                body(&c[i].logit)
                return true
            }
            return false
        }
        if found { isSorted = false }
    }

    /// The live score of `token`, or nil if a narrowing step dropped it.
    public func logit(of token: Int32) -> Float? {
        precondition(token >= 0 && Int(token) < vocabularySize, "token \(token) outside the vocabulary")
        guard isNarrowed else { return raw[Int(token)] }
        return withCandidates { c in c.first(where: { $0.id == token })?.logit } ?? nil
    }
}

// The operations of the built-in steps.
extension Logits {
    /// The highest live score.
    func maxLogit() -> Float {
        if !isNarrowed { return SamplingKernels.maximum(UnsafeBufferPointer(raw)) }
        return withCandidates { c in
            if isSorted { return c[0].logit }
            var m = -Float.infinity
            for t in c where t.logit > m { m = t.logit }
            return m
        }!
    }

    /// The live candidates beside the scratch storage. (Reading the candidates through `withCandidates` while
    /// writing `scratch` would copy the working set, and so `scratch`, on every call.)
    mutating func withCandidatesAndScratch<R>(
        _ body: (UnsafeBufferPointer<TokenLogit>, UnsafeMutableBufferPointer<Float>) -> R
    ) -> R {
        precondition(isNarrowed)
        let n = candidateCount
        return storage.withUnsafeBufferPointer { c in
            scratch.withUnsafeMutableBufferPointer { w in body(UnsafeBufferPointer(rebasing: c[..<n]), w) }
        }
    }

    /// Multiplies every live score by `factor`.
    mutating func scale(by factor: Float) {
        if isNarrowed {
            let n = candidateCount
            storage.withUnsafeMutableBufferPointer { c in
                for i in 0..<n { c[i].logit *= factor }
            }
        } else {
            let p = raw.baseAddress!
            for i in 0..<vocabularySize { p[i] *= factor }
        }
    }

    /// Narrows to the `k` best live tokens, best first.
    mutating func keepBest(_ k: Int) {
        precondition(k >= 1)
        if !isNarrowed {
            let k = min(k, vocabularySize)
            let values = UnsafeBufferPointer(raw)
            storage.withUnsafeMutableBufferPointer { c in
                SamplingKernels.selectBest(k, of: values, into: UnsafeMutableBufferPointer(rebasing: c[..<k]))
            }
            candidateCount = k
            isNarrowed = true
            isSorted = true
            return
        }
        let n = candidateCount
        if n > k {
            if !isSorted {
                storage.withUnsafeMutableBufferPointer { c in
                    SamplingKernels.selectBestInPlace(k, of: UnsafeMutableBufferPointer(rebasing: c[..<n]))
                }
            }
            candidateCount = k
            isSorted = true
        } else {
            sortCandidates()
        }
    }

    /// Puts the live candidates best first.
    mutating func sortCandidates() {
        precondition(isNarrowed)
        guard !isSorted else { return }
        let n = candidateCount
        storage.withUnsafeMutableBufferPointer { c in
            SamplingKernels.sortBestFirst(UnsafeMutableBufferPointer(rebasing: c[..<n]))
        }
        isSorted = true
    }

    /// Keeps the first `n` candidates.
    mutating func truncateCandidates(to n: Int) {
        precondition(isNarrowed && n >= 1 && n <= candidateCount)
        candidateCount = n
    }

    /// Narrows to the live tokens whose score is at least `threshold`, keeping their order.
    mutating func keep(atLeast threshold: Float) {
        if isNarrowed {
            let n = candidateCount
            candidateCount = storage.withUnsafeMutableBufferPointer { c -> Int in
                var kept = 0
                for i in 0..<n where c[i].logit >= threshold {
                    c[kept] = c[i]
                    kept += 1
                }
                return kept
            }
        } else {
            let values = UnsafeBufferPointer(raw)
            candidateCount = storage.withUnsafeMutableBufferPointer { c in
                SamplingKernels.collect(atLeast: threshold, of: values, into: c.baseAddress!)
            }
            isNarrowed = true
            isSorted = false
        }
    }
}
