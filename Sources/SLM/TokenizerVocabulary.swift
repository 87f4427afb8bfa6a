/// What a token is, numbered as GGUF's `tokenizer.ggml.token_type` numbers it.
public enum TokenType: Int, Sendable {
    case undefined = 0
    case normal = 1
    case unknown = 2
    /// Markup the model was trained on, such as `<|im_start|>`: written into prompts, never spelled out in bytes.
    case control = 3
    /// Added by the model's authors; written into text like control tokens, but decoded as its text.
    case userDefined = 4
    case unused = 5
    case byte = 6

    /// Tokens the encoder finds in text before splitting it into words.
    var isSpecial: Bool { self == .control || self == .userDefined || self == .unknown }
}

/// Token texts, as the GGUF file stores them, packed in one byte buffer and indexed by an open-addressing hash table
/// keyed on bytes. Loading builds no object per token, and a lookup compares bytes exactly: `String` keys would
/// compare canonically equivalent texts as equal and hash through Unicode normalization.
struct TokenTable: Sendable {
    let count: Int
    private let text: [UInt8]
    /// Where token `i`'s text starts in `text`; `count + 1` entries.
    private let starts: [Int32]
    /// Token ids, or -1 for an empty slot; a power-of-two number of slots, at most half full.
    private let slots: [Int32]
    /// Whether some text is the text of two tokens (the table then finds the later one).
    let hasRepeatedTexts: Bool

    init(_ tokens: [String]) {
        var text: [UInt8] = []
        text.reserveCapacity(tokens.count * 8)
        var starts: [Int32] = [0]
        starts.reserveCapacity(tokens.count + 1)
        for token in tokens {
            text.append(contentsOf: token.utf8)
            starts.append(Int32(text.count))
        }
        var capacity = 16
        while capacity < tokens.count * 2 { capacity *= 2 }
        var slots = [Int32](repeating: -1, count: capacity)
        var repeated = false
        text.withUnsafeBufferPointer { text in
            for id in 0..<tokens.count {
                let bytes = UnsafeBufferPointer(rebasing: text[Int(starts[id])..<Int(starts[id + 1])])
                var slot = Self.slot(Self.hash(bytes, UnsafeBufferPointer(start: nil, count: 0)), capacity)
                while slots[slot] >= 0 {
                    let other = Int(slots[slot])
                    // A repeated text maps to its last id, as llama.cpp's table does.
                    if text[Int(starts[other])..<Int(starts[other + 1])].elementsEqual(bytes) {
                        repeated = true
                        break
                    }
                    slot = (slot + 1) & (capacity - 1)
                }
                slots[slot] = Int32(id)
            }
        }
        count = tokens.count
        hasRepeatedTexts = repeated
        self.text = text
        self.starts = starts
        self.slots = slots
    }

    /// The text of token `id`, as stored.
    func bytes(_ id: Int) -> ArraySlice<UInt8> {
        text[Int(starts[id])..<Int(starts[id + 1])]
    }

    /// The token whose text is `head` followed by `tail`.
    func id(_ head: UnsafeBufferPointer<UInt8>, _ tail: UnsafeBufferPointer<UInt8> = .init(start: nil, count: 0))
        -> Int32?
    {
        let length = head.count + tail.count
        let hash = Self.hash(head, tail)
        return slots.withUnsafeBufferPointer { slots in
            starts.withUnsafeBufferPointer { starts in
                text.withUnsafeBufferPointer { text in
                    var slot = Self.slot(hash, slots.count)
                    while true {
                        let id = Int(slots[slot])
                        if id < 0 { return nil }
                        let start = Int(starts[id])
                        if Int(starts[id + 1]) - start == length && Self.equal(text, start, head)
                            && Self.equal(text, start + head.count, tail)
                        {
                            return Int32(id)
                        }
                        slot = (slot + 1) & (slots.count - 1)
                    }
                }
            }
        }
    }

    @inline(__always)
    private static func equal(_ text: UnsafeBufferPointer<UInt8>, _ start: Int, _ bytes: UnsafeBufferPointer<UInt8>)
        -> Bool
    {
        for i in 0..<bytes.count where text[start + i] != bytes[i] { return false }
        return true
    }

    /// Whether token `id`'s text is `head` followed by `tail`.
    func `is`(_ id: Int, _ head: UnsafeBufferPointer<UInt8>, _ tail: UnsafeBufferPointer<UInt8>) -> Bool {
        let start = Int(starts[id])
        return Int(starts[id + 1]) - start == head.count + tail.count
            && text.withUnsafeBufferPointer { Self.equal($0, start, head) && Self.equal($0, start + head.count, tail) }
    }

    func id(_ text: String) -> Int32? {
        var text = text
        return text.withUTF8 { id($0) }
    }

    /// FNV-1a over the bytes of head then tail, so a text split in two hashes as the whole.
    private static func hash(_ head: UnsafeBufferPointer<UInt8>, _ tail: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in head { h = (h ^ UInt64(byte)) &* 0x100_0000_01b3 }
        for byte in tail { h = (h ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return h
    }

    private static func slot(_ hash: UInt64, _ capacity: Int) -> Int {
        Int(truncatingIfNeeded: (hash &* 0x9E37_79B9_7F4A_7C15) >> 32) & (capacity - 1)
    }
}
