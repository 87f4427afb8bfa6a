/// Corrects typos of the device vocabulary: the closest known word within a Damerau–Levenshtein distance (optimal
/// string alignment) of 1 for words of four letters or more, 2 for eight or more; for three letters only a swap of
/// two neighbours ("fna") or one letter of a double left out ("dor"). Correctly spelled common English words
/// ("heading", "mid") are never corrected. Also splits and joins the caller's words run together or written apart
/// ("livingroom", "night light" for a catalog's "nightlight").
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
    /// Words that are never corrected: the candidates themselves (and their folded forms), protected common words
    /// and fillers; `isKnown` adds `NormalizerCommonWords` and number words.
    let known: Set<String>
    /// The caller's words, for compounds and for the devices "of"/"off" is read after.
    let callerWords: Set<String>

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
        self.callerWords = callerWords
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
        known.contains(word) || NormalizerCommonWords.words.contains(word) || NumberWords.isNumberWord(word)
    }

    /// The correction of `word`, or nil when it is known, a number, too short, or nothing is close enough.
    func correction(of word: String) -> String? {
        if isKnown(word) { return nil }
        let scalars = word.unicodeScalars.map(\.value)
        guard scalars.count <= 32, !scalars.contains(where: { $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        if scalars.count == 3 { return shortCorrection(of: scalars) }
        let limit = Self.maximumDistance(forLength: scalars.count)
        guard limit > 0 else { return nil }
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

    /// Three letters are too few for an edit distance ("dim" and "fan" are one edit from dozens of words): only the
    /// two typos that keep every letter, a swap of neighbours ("fna" → "fan") or a double typed once ("dor" → "door").
    private func shortCorrection(of scalars: [UInt32]) -> String? {
        var best: Entry? = nil
        for entry in entries where entry.scalars.count == 3 || entry.scalars.count == 4 {
            guard Self.isSwap(scalars, of: entry.scalars) || Self.isDoubleTypedOnce(scalars, of: entry.scalars) else {
                continue
            }
            if let current = best, !Self.isBetter(entry, 1, than: current, 1) { continue }
            best = entry
        }
        return best?.word
    }

    /// `typed` is `word` with two neighbouring letters swapped.
    static func isSwap(_ typed: [UInt32], of word: [UInt32]) -> Bool {
        guard typed.count == word.count else { return false }
        let differing = typed.indices.filter { typed[$0] != word[$0] }
        guard differing.count == 2, let i = differing.first, differing[1] == i + 1 else { return false }
        return typed[i] == word[i + 1] && typed[i + 1] == word[i]
    }

    /// `typed` is `word` with one letter of a doubled pair left out ("dor" for "door").
    static func isDoubleTypedOnce(_ typed: [UInt32], of word: [UInt32]) -> Bool {
        guard word.count == typed.count + 1 else { return false }
        for i in 0..<typed.count where word[i] == word[i + 1] {
            if Array(word[..<i]) + word[(i + 1)...] == typed { return true }
        }
        return false
    }

    /// "livingroom" → ["living", "room"]: an unknown word made of two of the caller's words of three letters or
    /// more. Only the caller's words, so "offset" and "onset" stay whole.
    func compoundParts(of word: String) -> [String]? {
        let letters = Array(word)
        guard letters.count >= 6, letters.count <= 32, !isKnown(word) else { return nil }
        for cut in 3...(letters.count - 3) {
            let first = String(letters[..<cut])
            let second = String(letters[cut...])
            if callerWords.contains(first), callerWords.contains(second) { return [first, second] }
        }
        return nil
    }

    /// "night light" → "nightlight" when the caller spells the name as one word.
    func compound(_ first: String, _ second: String) -> String? {
        let joined = first + second
        return callerWords.contains(joined) ? joined : nil
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
