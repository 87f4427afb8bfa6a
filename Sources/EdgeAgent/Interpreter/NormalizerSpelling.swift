/// Corrects typos of the device vocabulary: the closest known word within a Damerau–Levenshtein distance (optimal
/// string alignment) of 1 for words of four letters or more, 2 for eight or more.
struct NormalizerSpelling: Sendable {
    struct Entry: Sendable {
        var word: String
        var scalars: [UInt32]
        /// One bit per letter a–z (others share bit 26): a cheap bound, an edit changes at most two bits.
        var letters: UInt32
        /// Lower is preferred on ties: built-in words by frequency, then the caller's.
        var rank: Int
    }

    let entries: [Entry]
    /// Words that are never corrected: the candidates themselves (and their folded forms), protected common words,
    /// number words.
    let known: Set<String>

    init(vocabulary: Set<String>) {
        var entries: [Entry] = []
        var seen: Set<String> = []
        var known = NormalizerLexicon.protectedWords.union(NormalizerLexicon.fillerWords)
        func add(_ word: String, rank: Int) {
            known.insert(word)
            known.insert(Diacritics.fold(word))
            guard seen.insert(word).inserted else { return }
            let scalars = word.unicodeScalars.map(\.value)
            entries.append(Entry(word: word, scalars: scalars, letters: Self.letterMask(scalars), rank: rank))
        }
        for (rank, word) in NormalizerLexicon.commandWords.enumerated() { add(word, rank: rank) }
        // Sorted so the caller's words are ranked the same whatever the set's order.
        let callerWords = Set(vocabulary.flatMap { $0.lowercased().split(separator: " ").map(String.init) })
        for word in callerWords.sorted() { add(word, rank: NormalizerLexicon.commandWords.count) }
        self.entries = entries
        self.known = known
    }

    static func letterMask(_ scalars: [UInt32]) -> UInt32 {
        var mask: UInt32 = 0
        for s in scalars { mask |= (s >= 0x61 && s <= 0x7A) ? 1 << (s - 0x61) : 1 << 26 }
        return mask
    }

    static func maximumDistance(forLength length: Int) -> Int {
        length >= 8 ? 2 : length >= 4 ? 1 : 0
    }

    func isKnown(_ word: String) -> Bool {
        known.contains(word) || NumberWords.isNumberWord(word)
    }

    /// The correction of `word`, or nil when it is known, a number, too short, or nothing is close enough.
    func correction(of word: String) -> String? {
        if isKnown(word) { return nil }
        let scalars = word.unicodeScalars.map(\.value)
        let limit = Self.maximumDistance(forLength: scalars.count)
        guard limit > 0, scalars.count <= 32, !scalars.contains(where: { $0 >= 0x30 && $0 <= 0x39 }) else {
            return nil
        }
        let mask = Self.letterMask(scalars)
        var best: (entry: Entry, distance: Int)? = nil
        for entry in entries where abs(entry.scalars.count - scalars.count) <= limit {
            if (entry.letters ^ mask).nonzeroBitCount > 2 * limit { continue }
            guard let distance = Self.distance(scalars, entry.scalars, limit: limit) else { continue }
            if let current = best, !Self.isBetter(entry, distance, than: current.entry, current.distance) { continue }
            best = (entry, distance)
        }
        return best?.entry.word
    }

    private static func isBetter(_ a: Entry, _ da: Int, than b: Entry, _ db: Int) -> Bool {
        if da != db { return da < db }
        if a.rank != b.rank { return a.rank < b.rank }
        if a.scalars.count != b.scalars.count { return a.scalars.count < b.scalars.count }
        return a.word < b.word
    }

    /// Optimal string alignment distance, or nil once it must exceed `limit`.
    static func distance(_ a: [UInt32], _ b: [UInt32], limit: Int) -> Int? {
        let n = a.count
        let m = b.count
        if abs(n - m) > limit { return nil }
        if n == 0 || m == 0 { return max(n, m) <= limit ? max(n, m) : nil }
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: 3 * (m + 1)) { buffer -> Int? in
            var previous2 = 0  // offsets into buffer of the three rows
            var previous = m + 1
            var current = 2 * (m + 1)
            for j in 0...m { buffer[previous + j] = j }
            for i in 1...n {
                buffer[current] = i
                var rowMinimum = i
                for j in 1...m {
                    let cost = a[i - 1] == b[j - 1] ? 0 : 1
                    var value = min(
                        buffer[previous + j] + 1, buffer[current + j - 1] + 1, buffer[previous + j - 1] + cost)
                    if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                        value = min(value, buffer[previous2 + j - 2] + 1)
                    }
                    buffer[current + j] = value
                    rowMinimum = min(rowMinimum, value)
                }
                if rowMinimum > limit { return nil }
                (previous2, previous, current) = (previous, current, previous2)
            }
            let result = buffer[previous + m]
            return result <= limit ? result : nil
        }
    }
}
