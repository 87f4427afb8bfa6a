/// SentencePiece-style BPE, `tokenizer.ggml.model` = "llama" (Llama 2, Gemma …), as llama.cpp's SPM tokenizer runs it.
///
/// Spaces are written as "▁" (U+2581), optionally with one in front of the text. The text starts as one symbol per
/// UTF-8 character; the adjacent pair whose concatenation is the vocabulary token of highest score is merged,
/// leftmost first among equals, until no pair concatenates to a token. A remaining symbol that is no token is spelled
/// with the byte tokens `<0xNN>`, one per UTF-8 byte.
final class SentencePieceEncoding: TokenizerModel {
    private let vocabulary: TokenTable
    private let scores: [Float]
    /// The token `<0xNN>` of each byte, or the unknown token, or -1 (the byte is then dropped).
    private let byteTokens: [Int32]
    /// Whether each piece of text between special tokens gets a leading space (`tokenizer.ggml.add_space_prefix`).
    let addsSpacePrefix: Bool

    static let space: [UInt8] = [0xE2, 0x96, 0x81]  // "▁"

    init(vocabulary: TokenTable, scores: [Float], unknownID: Int32?, addsSpacePrefix: Bool) throws {
        guard scores.count == vocabulary.count else {
            throw TokenizerError.invalidMetadata(
                key: GGUFKey.tokenScores, reason: "\(scores.count) scores for \(vocabulary.count) tokens")
        }
        self.vocabulary = vocabulary
        self.scores = scores
        self.addsSpacePrefix = addsSpacePrefix
        byteTokens = (0..<256).map { byte in
            let hex = String(byte, radix: 16, uppercase: true)
            return vocabulary.id("<0x" + (byte < 16 ? "0" : "") + hex + ">") ?? unknownID ?? -1
        }
    }

    private struct Symbol {
        var start: Int
        var length: Int
        var previous: Int
        var next: Int
    }

    private struct Bigram: Comparable {
        var score: Float
        var left: Int
        var right: Int
        var length: Int

        /// Heap order: higher score first, then the leftmost.
        static func < (a: Bigram, b: Bigram) -> Bool {
            a.score < b.score || (a.score == b.score && a.left > b.left)
        }
    }

    func encode(_ text: UnsafeBufferPointer<UInt8>, into output: inout [Int32]) {
        var escaped: [UInt8] = []
        escaped.reserveCapacity(text.count + 8)
        if addsSpacePrefix { escaped += Self.space }
        for byte in text {
            if byte == 0x20 { escaped += Self.space } else { escaped.append(byte) }
        }
        escaped.withUnsafeBufferPointer { encodeEscaped($0, into: &output) }
    }

    private func encodeEscaped(_ text: UnsafeBufferPointer<UInt8>, into output: inout [Int32]) {
        var symbols: [Symbol] = []
        var offset = 0
        while offset < text.count {
            let length = min(Self.utf8Length(text[offset]), text.count - offset)
            symbols.append(Symbol(start: offset, length: length, previous: symbols.count - 1, next: symbols.count + 1))
            offset += length
        }
        guard !symbols.isEmpty else { return }
        symbols[symbols.count - 1].next = -1

        var queue = MaxHeap<Bigram>()
        func tryAdd(_ left: Int, _ right: Int) {
            guard left >= 0, right >= 0 else { return }
            let start = symbols[left].start
            let length = symbols[left].length + symbols[right].length
            guard let id = vocabulary.id(UnsafeBufferPointer(rebasing: text[start..<start + length])) else { return }
            queue.push(Bigram(score: scores[Int(id)], left: left, right: right, length: length))
        }
        for i in 1..<symbols.count { tryAdd(i - 1, i) }

        while let bigram = queue.pop() {
            let left = symbols[bigram.left], right = symbols[bigram.right]
            // Stale: one side has merged into something else since this pair was queued.
            guard left.length > 0, right.length > 0, left.length + right.length == bigram.length else { continue }
            symbols[bigram.left].length = bigram.length
            symbols[bigram.right].length = 0
            symbols[bigram.left].next = right.next
            if right.next >= 0 { symbols[right.next].previous = bigram.left }
            tryAdd(left.previous, bigram.left)
            tryAdd(bigram.left, right.next)
        }

        var i = 0
        while i >= 0 {
            let symbol = symbols[i]
            let piece = UnsafeBufferPointer(rebasing: text[symbol.start..<symbol.start + symbol.length])
            if let id = vocabulary.id(piece) {
                output.append(id)
            } else {
                for byte in piece where byteTokens[Int(byte)] >= 0 { output.append(byteTokens[Int(byte)]) }
            }
            i = symbol.next
        }
    }

    /// Bytes of the UTF-8 sequence a lead byte starts (1 for a stray continuation byte).
    private static func utf8Length(_ lead: UInt8) -> Int {
        switch lead {
        case 0xF0...0xFF: 4
        case 0xE0...0xEF: 3
        case 0xC0...0xDF: 2
        default: 1
        }
    }

    /// "▁" reads as a space; a byte token `<0xNN>` is its byte.
    func appendBytes(ofTokenText text: ArraySlice<UInt8>, to bytes: inout [UInt8]) {
        if text.count == 6, text.starts(with: [0x3C, 0x30, 0x78]), text.last == 0x3E,
            let value = UInt8(String(decoding: text.dropFirst(3).prefix(2), as: UTF8.self), radix: 16)
        {
            bytes.append(value)
            return
        }
        var i = text.startIndex
        while i < text.endIndex {
            if text[i] == 0xE2, i + 2 < text.endIndex, text[i + 1] == 0x96, text[i + 2] == 0x81 {
                bytes.append(0x20)
                i += 3
            } else {
                bytes.append(text[i])
                i += 1
            }
        }
    }
}

/// A binary max-heap.
struct MaxHeap<Element: Comparable> {
    private var items: [Element] = []

    mutating func push(_ item: Element) {
        items.append(item)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard items[parent] < items[child] else { break }
            items.swapAt(parent, child)
            child = parent
        }
    }

    mutating func pop() -> Element? {
        guard let top = items.first else { return nil }
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1, right = left + 1
                var largest = parent
                if left < items.count && items[largest] < items[left] { largest = left }
                if right < items.count && items[largest] < items[right] { largest = right }
                if largest == parent { break }
                items.swapAt(parent, largest)
                parent = largest
            }
        }
        return top
    }
}
