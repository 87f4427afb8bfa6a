/// Byte-level BPE, `tokenizer.ggml.model` = "gpt2" (GPT-2, SmolLM, Llama 3, Qwen …).
///
/// Text is split into words by the pre-tokenizer; each word starts as one token per UTF-8 byte, and the adjacent pair
/// whose merge has the lowest rank (its line in `tokenizer.ggml.merges`) is merged, leftmost first among equals,
/// until no pair has a merge. Token texts are stored with GPT-2's byte-to-character mapping (`ByteLevel`), so a merge
/// list line such as "Ġ t" reads as " " + "t".
final class BytePairEncoding: TokenizerModel {
    let preTokenizer: PreTokenizer
    /// Emit a word that is itself a token as that token, without merging (llama.cpp sets this for Llama 3).
    let ignoreMerges: Bool
    private let vocabulary: TokenTable
    /// The token of each byte's character, or -1 if the vocabulary lacks it (the byte is then dropped, as llama.cpp
    /// drops text it cannot spell).
    private let byteTokens: [Int32]
    private let merges: MergeTable

    init(vocabulary: TokenTable, merges: [String], preTokenizer: PreTokenizer, ignoreMerges: Bool) throws {
        self.vocabulary = vocabulary
        self.preTokenizer = preTokenizer
        self.ignoreMerges = ignoreMerges
        byteTokens = (0..<256).map { byte in
            ByteLevel.withCharacter(UInt8(byte)) { vocabulary.id($0) ?? -1 }
        }
        var table = MergeTable(capacity: merges.count)
        // Trained vocabularies list each merge's result in merge order, so the next merged token is usually the one
        // after the last: checking that one first saves a hash lookup per merge.
        var lastMerged: Int32 = -1
        for (rank, merge) in merges.enumerated() {
            try Self.withUTF8(merge) { line in
                // "left right": the separator is the first space after the first byte.
                guard let space = line.dropFirst().firstIndex(of: 0x20) else {
                    throw TokenizerError.invalidMetadata(
                        key: GGUFKey.merges, reason: "merge \(rank) '\(merge)' is not two tokens separated by a space")
                }
                let left = UnsafeBufferPointer(rebasing: line[..<space])
                let right = UnsafeBufferPointer(rebasing: line[(space + 1)...])
                let next = Int(lastMerged) + 1
                let merged =
                    next < vocabulary.count && !vocabulary.hasRepeatedTexts && vocabulary.is(next, left, right)
                    ? Int32(next) : vocabulary.id(left, right)
                // A merge of texts that are not tokens could never apply to token ids: llama.cpp accepts such
                // lines too, so they are skipped rather than rejected.
                guard let a = vocabulary.id(left), let b = vocabulary.id(right), let merged else { return }
                table.insert(a, b, rank: Int32(rank), merged: merged)
                lastMerged = merged
            }
        }
        self.merges = table
    }

    private static func withUTF8<R>(_ string: String, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        var string = string
        return try string.withUTF8(body)
    }

    func encode(_ text: UnsafeBufferPointer<UInt8>, into output: inout [Int32]) {
        var work = MergeWork()
        preTokenizer.split(text) { range in
            encodeWord(UnsafeBufferPointer(rebasing: text[range]), &work, &output)
        }
    }

    /// Standard BPE over one word: a min-heap of (rank, left symbol) over a linked list of symbols, so a long word
    /// costs O(n log n). Heap entries go stale when a neighbour merges; a popped entry is used only if its pair still
    /// has that rank.
    private func encodeWord(_ word: UnsafeBufferPointer<UInt8>, _ work: inout MergeWork, _ output: inout [Int32]) {
        if ignoreMerges {
            work.mapped.removeAll(keepingCapacity: true)
            for byte in word { ByteLevel.withCharacter(byte) { work.mapped.append(contentsOf: $0) } }
            if let id = work.mapped.withUnsafeBufferPointer({ vocabulary.id($0) }) {
                output.append(id)
                return
            }
        }
        work.reset()
        for byte in word where byteTokens[Int(byte)] >= 0 { work.append(byteTokens[Int(byte)]) }
        let n = work.ids.count
        if n <= 1 {
            output.append(contentsOf: work.ids)
            return
        }
        for i in 0..<n - 1 {
            if let merge = merges.find(work.ids[i], work.ids[i + 1]) { work.push(rank: merge.rank, left: i) }
        }
        while let (rank, left) = work.pop() {
            let right = Int(work.next[left])
            guard work.ids[left] >= 0, right >= 0, let merge = merges.find(work.ids[left], work.ids[right]),
                merge.rank == rank
            else { continue }
            work.ids[left] = merge.merged
            work.ids[right] = -1
            let after = Int(work.next[right])
            work.next[left] = Int32(after)
            if after >= 0 { work.previous[after] = Int32(left) }
            let before = Int(work.previous[left])
            if before >= 0, let m = merges.find(work.ids[before], merge.merged) {
                work.push(rank: m.rank, left: before)
            }
            if after >= 0, let m = merges.find(merge.merged, work.ids[after]) { work.push(rank: m.rank, left: left) }
        }
        var i = 0
        while i >= 0 {
            output.append(work.ids[i])
            i = Int(work.next[i])
        }
    }

    func appendBytes(ofTokenText text: ArraySlice<UInt8>, to bytes: inout [UInt8]) {
        var i = text.startIndex
        while i < text.endIndex {
            let lead = text[i]
            // Mapped bytes are characters below U+0144: one or two bytes of UTF-8.
            if lead < 0x80 {
                bytes.append(ByteLevel.byte(of: UInt32(lead)) ?? lead)
                i += 1
            } else if lead & 0xE0 == 0xC0, i + 1 < text.endIndex,
                let byte = ByteLevel.byte(of: UInt32(lead & 0x1F) << 6 | UInt32(text[i + 1] & 0x3F))
            {
                bytes.append(byte)
                i += 2
            } else {
                // Not a mapped byte (a hand-added token): keep its UTF-8 as it is.
                let length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1
                let end = min(i + length, text.endIndex)
                bytes.append(contentsOf: text[i..<end])
                i = end
            }
        }
    }
}

/// GPT-2's `bytes_to_unicode`: each byte is written as one printable character so that token texts are strings.
/// Printable Latin-1 bytes (`!`…`~`, `¡`…`¬`, `®`…`ÿ`) stand for themselves; the other 68 (controls, space, DEL,
/// no-break space, soft hyphen) become U+0100, U+0101 … in byte order, so a space is `Ġ` (U+0120) and a line feed `Ċ`.
enum ByteLevel {
    static let scalars: [UInt32] = {
        var table = [UInt32](repeating: 0, count: 256)
        var next: UInt32 = 256
        for byte in 0..<256 {
            switch byte {
            case 0x21...0x7E, 0xA1...0xAC, 0xAE...0xFF: table[byte] = UInt32(byte)
            default:
                table[byte] = next
                next += 1
            }
        }
        return table
    }()

    /// The UTF-8 of each byte's character: 1 or 2 bytes each, 4 bytes a slot.
    private static let utf8: [UInt8] = scalars.flatMap { scalar -> [UInt8] in
        let bytes = Array(String(Unicode.Scalar(scalar)!).utf8)
        return bytes + [UInt8](repeating: 0, count: 4 - bytes.count)
    }

    /// The byte each character below U+0144 stands for, or -1.
    private static let bytes: [Int16] = {
        var table = [Int16](repeating: -1, count: 0x144)
        for (byte, scalar) in scalars.enumerated() { table[Int(scalar)] = Int16(byte) }
        return table
    }()

    static func withCharacter<R>(_ byte: UInt8, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        utf8.withUnsafeBufferPointer { table in
            let start = Int(byte) * 4
            return body(UnsafeBufferPointer(rebasing: table[start..<start + (scalars[Int(byte)] < 0x80 ? 1 : 2)]))
        }
    }

    static func byte(of scalar: UInt32) -> UInt8? {
        guard scalar < 0x144, bytes[Int(scalar)] >= 0 else { return nil }
        return UInt8(bytes[Int(scalar)])
    }
}

/// Merge ranks keyed by the pair of token ids, in an open-addressing table: (left, right) → (rank, merged token).
/// Each slot is a key and its value side by side, so a lookup touches one cache line.
struct MergeTable: Sendable {
    private static let empty = UInt64.max
    /// key, value, key, value …: key = left << 32 | right, value = rank << 32 | merged.
    private var slots: [UInt64]
    private let mask: Int
    private let shift: UInt64

    init(capacity count: Int) {
        var bits: UInt64 = 4
        while 1 << bits < count * 2 { bits += 1 }
        slots = [UInt64](repeating: Self.empty, count: 2 << bits)
        mask = (1 << bits) - 1
        shift = 64 - bits
    }

    @inline(__always) private func slot(_ key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    @inline(__always) private static func key(_ left: Int32, _ right: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
    }

    /// Keeps the first rank given for a pair, as llama.cpp does for a repeated merge line.
    mutating func insert(_ left: Int32, _ right: Int32, rank: Int32, merged: Int32) {
        let key = Self.key(left, right)
        var slot = slot(key)
        while slots[2 * slot] != Self.empty {
            if slots[2 * slot] == key { return }
            slot = (slot + 1) & mask
        }
        slots[2 * slot] = key
        slots[2 * slot + 1] = UInt64(UInt32(bitPattern: rank)) << 32 | UInt64(UInt32(bitPattern: merged))
    }

    @inline(__always) func find(_ left: Int32, _ right: Int32) -> (rank: Int32, merged: Int32)? {
        let key = Self.key(left, right)
        var slot = slot(key)
        while true {
            let found = slots[2 * slot]
            if found == key {
                let value = slots[2 * slot + 1]
                return (Int32(truncatingIfNeeded: value >> 32), Int32(truncatingIfNeeded: value))
            }
            if found == Self.empty { return nil }
            slot = (slot + 1) & mask
        }
    }
}

/// Scratch space for merging one word at a time, reused across the words of a text.
private struct MergeWork {
    /// Each symbol's token, or -1 once merged into its left neighbour.
    var ids: [Int32] = []
    var previous: [Int32] = []
    var next: [Int32] = []
    /// Min-heap of rank << 32 | left symbol: lowest rank first, then leftmost.
    var heap: [UInt64] = []
    /// A word in GPT-2's character mapping, for whole-word lookups.
    var mapped: [UInt8] = []

    mutating func reset() {
        ids.removeAll(keepingCapacity: true)
        previous.removeAll(keepingCapacity: true)
        next.removeAll(keepingCapacity: true)
        heap.removeAll(keepingCapacity: true)
    }

    mutating func append(_ id: Int32) {
        let i = Int32(ids.count)
        if i > 0 { next[Int(i) - 1] = i }
        ids.append(id)
        previous.append(i - 1)
        next.append(-1)
    }

    mutating func push(rank: Int32, left: Int) {
        heap.append(UInt64(UInt32(bitPattern: rank)) << 32 | UInt64(left))
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child] < heap[parent] else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> (rank: Int32, left: Int)? {
        guard let top = heap.first else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1
                guard left < heap.count else { break }
                let smaller = left + 1 < heap.count && heap[left + 1] < heap[left] ? left + 1 : left
                guard heap[smaller] < heap[parent] else { break }
                heap.swapAt(smaller, parent)
                parent = smaller
            }
        }
        return (Int32(truncatingIfNeeded: top >> 32), Int(truncatingIfNeeded: top & 0xFFFF_FFFF))
    }
}
