/// Turns generated token ids into text as they arrive. A token may end in the middle of a character (byte-level BPE
/// splits "💡" into three tokens), so the decoder holds back an incomplete UTF-8 sequence at the end until the bytes
/// that complete it arrive, and never returns half a character. Bytes that can no longer become a character come out
/// as U+FFFD.
public struct TextDecoder: Sendable {
    public let tokenizer: Tokenizer
    /// Whether control tokens (`<|im_end|>`) are written out as their text.
    public let renderSpecial: Bool
    /// The start of a character whose remaining bytes have not arrived: at most 3 bytes.
    private var pending: [UInt8] = []

    public init(tokenizer: Tokenizer, renderSpecial: Bool = false) {
        self.tokenizer = tokenizer
        self.renderSpecial = renderSpecial
    }

    /// The text that token `id` completes: possibly empty, possibly more than the token's own bytes.
    public mutating func append(_ id: Int32) -> String {
        pending.append(contentsOf: tokenizer.pieceSlice(id, renderSpecial: renderSpecial))
        let complete = Self.completeLength(pending)
        guard complete > 0 else { return "" }
        let text = String(decoding: pending[..<complete], as: UTF8.self)
        pending.removeFirst(complete)
        return text
    }

    /// The held-back bytes at the end of generation, as U+FFFD: they will not be completed now.
    public mutating func flush() -> String {
        defer { pending.removeAll() }
        return String(decoding: pending, as: UTF8.self)
    }

    /// How many leading bytes can be decoded now: all but a trailing sequence that is a valid start of a character.
    static func completeLength(_ bytes: [UInt8]) -> Int {
        // The last lead byte in the final 3 bytes starts the only sequence that may still be incomplete.
        guard let lead = bytes.indices.suffix(3).last(where: { bytes[$0] & 0xC0 != 0x80 }) else { return bytes.count }
        let needed: Int
        switch bytes[lead] {
        case 0xC2...0xDF: needed = 2
        case 0xE0...0xEF: needed = 3
        case 0xF0...0xF4: needed = 4
        default: return bytes.count  // ASCII, or a byte that never starts a character
        }
        let have = bytes.count - lead
        guard have < needed else { return bytes.count }
        // The second byte's range depends on the lead (no overlong forms, surrogates or values past U+10FFFF).
        if have >= 2 {
            let second = bytes[lead + 1]
            let valid: ClosedRange<UInt8>
            switch bytes[lead] {
            case 0xE0: valid = 0xA0...0xBF
            case 0xED: valid = 0x80...0x9F
            case 0xF0: valid = 0x90...0xBF
            case 0xF4: valid = 0x80...0x8F
            default: valid = 0x80...0xBF
            }
            guard valid.contains(second) else { return bytes.count }
        }
        return lead
    }
}
