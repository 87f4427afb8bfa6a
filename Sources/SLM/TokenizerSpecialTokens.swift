/// The tokens written into text as markup, such as `<|im_start|>`: control, user-defined and unknown tokens. The
/// encoder looks for them before pre-tokenization, so each becomes one token instead of being spelled out.
///
/// At each position the longest special token that starts there wins. llama.cpp instead splits the whole text by each
/// special token in turn, longest first; the two differ only when two special tokens overlap in the text.
struct SpecialTokens: Sendable {
    private struct Entry: Sendable {
        let id: Int32
        let text: [UInt8]
        /// User-defined tokens are matched even when special tokens are not parsed, as llama.cpp and Hugging Face
        /// tokenizers do.
        let alwaysMatched: Bool
    }

    /// Entries by their first byte, longest first.
    private let byFirstByte: [[Entry]]

    init(vocabulary: TokenTable, types: [TokenType]) {
        var buckets = [[Entry]](repeating: [], count: 256)
        for (id, type) in types.enumerated() where type.isSpecial {
            let text = Array(vocabulary.bytes(id))
            guard let first = text.first else { continue }
            buckets[Int(first)].append(Entry(id: Int32(id), text: text, alwaysMatched: type == .userDefined))
        }
        byFirstByte = buckets.map { $0.sorted { $0.text.count > $1.text.count } }
    }

    /// The special token whose text starts at `position` and ends by `end`, if any; control and unknown tokens only if
    /// `all`.
    @inline(__always)
    func match(_ text: UnsafeBufferPointer<UInt8>, at position: Int, end: Int, all: Bool) -> (id: Int32, length: Int)? {
        let candidates = byFirstByte[Int(text[position])]
        if candidates.isEmpty { return nil }
        for entry in candidates where (all || entry.alwaysMatched) && entry.text.count <= end - position {
            if text[position..<position + entry.text.count].elementsEqual(entry.text) {
                return (entry.id, entry.text.count)
            }
        }
        return nil
    }
}
