extension Logits {
    /// Narrows to `tokens` (sorted by id), keeping their scores: the mask of a constraint, in time proportional
    /// to the allowed tokens rather than the vocabulary. Already narrowed, it keeps the candidates that are in
    /// `tokens`.
    public mutating func keepOnly(_ tokens: [Int32]) {
        if isNarrowed {
            let n = candidateCount
            candidateCount = storage.withUnsafeMutableBufferPointer { c -> Int in
                var kept = 0
                for i in 0..<n where Self.sortedContains(tokens, c[i].id) {
                    c[kept] = c[i]
                    kept += 1
                }
                return kept
            }
            return
        }
        let values = raw
        candidateCount = storage.withUnsafeMutableBufferPointer { c -> Int in
            for (i, id) in tokens.enumerated() { c[i] = TokenLogit(id: id, logit: values[Int(id)]) }
            return tokens.count
        }
        isNarrowed = true
        isSorted = false
    }

    static func sortedContains(_ tokens: [Int32], _ id: Int32) -> Bool {
        var lo = 0
        var hi = tokens.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if tokens[mid] < id { lo = mid + 1 } else { hi = mid }
        }
        return lo < tokens.count && tokens[lo] == id
    }
}
