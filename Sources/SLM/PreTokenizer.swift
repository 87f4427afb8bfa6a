/// Splits text into the words that byte-level BPE merges within: a merge never crosses a word boundary.
///
/// llama.cpp chooses the splitter by `tokenizer.ggml.pre` and writes each one as a chain of regexes, each applied to
/// the pieces the previous one produced (text a regex does not match stays a piece of its own). These are
/// hand-written matchers over Unicode scalars that give the same pieces, because the interpreter tokenizes every
/// command and a regex engine would cost more than the BPE itself. Most build on GPT-2's pattern:
///
///     's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
///
/// `\p{L}`, `\p{N}` and `\s` are Unicode's letter and number general categories and its White_Space property.
enum PreTokenizer: Sendable {
    /// GPT-2's pattern alone (`gpt-2`).
    case gpt2
    /// Every number character on its own (`\p{N}`), then GPT-2's pattern on the rest (`smollm`; llama.cpp also
    /// uses it for StarCoder, Refact and Command R).
    case isolatedDigits
    /// llama.cpp's splitter for BPE vocabularies that name none (`default`): runs of punctuation and `$+<=>^~|`,
    /// then GPT-2's pattern, then runs of numbers, then triples of ASCII digits.
    case fallback
    /// Llama 3's pattern (`llama3`, `llama-bpe`): contractions in any case, letters with at most one leading
    /// non-letter, numbers in threes, and line breaks kept with the punctuation or spaces before them.
    ///
    ///     (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
    case llama3

    /// The `tokenizer.ggml.pre` values understood, and the splitter each names.
    static let byName: [String: PreTokenizer] = [
        "gpt-2": .gpt2, "gpt2": .gpt2,
        "smollm": .isolatedDigits,
        "default": .fallback,
        "llama3": .llama3, "llama-v3": .llama3, "llama-bpe": .llama3,
    ]

    /// Calls `word` with the byte range of each word of `text` (valid UTF-8), in order. The words cover the text.
    func split(_ text: UnsafeBufferPointer<UInt8>, _ word: (Range<Int>) -> Void) {
        guard !text.isEmpty else { return }
        let scalars = ScalarRun(text)
        // The matchers below work in scalar indices; the caller wants bytes.
        func emit(_ range: Range<Int>) { word(scalars.offsets[range.lowerBound]..<scalars.offsets[range.upperBound]) }
        let all = 0..<scalars.count
        switch self {
        case .gpt2:
            scalars.gpt2(all, emit)
        case .isolatedDigits:
            scalars.isolate(all, CharClass.number, single: true) { chunk in
                scalars.gpt2(chunk, emit)
            }
        case .fallback:
            scalars.isolate(all, CharClass.punctuation, single: false) { chunk in
                scalars.gpt2(chunk) { word in
                    scalars.isolate(word, CharClass.number, single: false) {
                        scalars.asciiDigitTriples($0, emit)
                    }
                }
            }
        case .llama3:
            scalars.llama3(all, emit)
        }
    }
}

/// What the pre-tokenizers ask of a scalar, as bits.
enum CharClass {
    static let letter: UInt8 = 1  // \p{L}
    static let number: UInt8 = 2  // \p{N}
    static let whitespace: UInt8 = 4  // \s (White_Space)
    static let punctuation: UInt8 = 8  // [\p{P}$+<=>^~|], for the fallback splitter

    static func of(_ scalar: Unicode.Scalar) -> UInt8 {
        if scalar.value < 128 { return ascii[Int(scalar.value)] }
        return classify(scalar)
    }

    private static let ascii: [UInt8] = (0..<128).map { classify(Unicode.Scalar(UInt8($0))) }

    private static func classify(_ scalar: Unicode.Scalar) -> UInt8 {
        let properties = scalar.properties
        if properties.isWhitespace { return whitespace }
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            return letter
        case .decimalNumber, .letterNumber, .otherNumber:
            return number
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
            .finalPunctuation, .otherPunctuation:
            return punctuation
        default:
            switch scalar {
            case "$", "+", "<", "=", ">", "^", "~", "|": return punctuation
            default: return 0
            }
        }
    }
}

/// One fragment of text decoded to scalars, with each scalar's class and byte offset.
struct ScalarRun {
    var values: [UInt32] = []
    var classes: [UInt8] = []
    /// Byte offset of each scalar, plus the end: `count + 1` entries.
    var offsets: [Int] = []
    var count: Int { values.count }

    init(_ text: UnsafeBufferPointer<UInt8>) {
        values.reserveCapacity(text.count)
        classes.reserveCapacity(text.count)
        offsets.reserveCapacity(text.count + 1)
        var i = 0
        let n = text.count
        while i < n {
            let b0 = UInt32(text[i])
            var value: UInt32
            var length: Int
            switch b0 {
            case ..<0x80: (value, length) = (b0, 1)
            case 0xC0..<0xE0: (value, length) = (b0 & 0x1F, 2)
            case 0xE0..<0xF0: (value, length) = (b0 & 0x0F, 3)
            case 0xF0..<0xF8: (value, length) = (b0 & 0x07, 4)
            default: (value, length) = (0xFFFD, 1)
            }
            if i + length > n { (value, length) = (0xFFFD, 1) }
            for k in 1..<max(length, 1) { value = value << 6 | UInt32(text[i + k] & 0x3F) }
            let scalar = Unicode.Scalar(value) ?? "\u{FFFD}"
            values.append(scalar.value)
            classes.append(CharClass.of(scalar))
            offsets.append(i)
            i += length
        }
        offsets.append(n)
    }

    @inline(__always) private func value(_ i: Int, _ range: Range<Int>) -> UInt32 {
        range.contains(i) ? values[i] : 0xFFFF_FFFF
    }

    /// The class of scalar `i`, or nothing (0, matching no class) outside `range`: a regex sees only its piece.
    @inline(__always) private func classAt(_ i: Int, _ range: Range<Int>) -> UInt8 {
        range.contains(i) ? classes[i] : 0
    }

    @inline(__always) private func isOther(_ i: Int, _ range: Range<Int>) -> Bool {
        range.contains(i) && classes[i] & (CharClass.letter | CharClass.number | CharClass.whitespace) == 0
    }

    /// Splits `range` so that each scalar of class `isolated` (or each run of them, unless `single`) is a piece of
    /// its own, as a regex `\p{N}` (or `\p{N}+`) does; the text between is passed on as pieces too.
    func isolate(_ range: Range<Int>, _ isolated: UInt8, single: Bool, _ piece: (Range<Int>) -> Void) {
        var start = range.lowerBound
        var i = start
        while i < range.upperBound {
            guard classes[i] & isolated != 0 else {
                i += 1
                continue
            }
            if start < i { piece(start..<i) }
            var end = i + 1
            if !single { while end < range.upperBound && classes[end] & isolated != 0 { end += 1 } }
            piece(i..<end)
            i = end
            start = end
        }
        if start < range.upperBound { piece(start..<range.upperBound) }
    }

    /// `[0-9][0-9][0-9]`: each leftmost triple of ASCII digits is a piece of its own.
    func asciiDigitTriples(_ range: Range<Int>, _ piece: (Range<Int>) -> Void) {
        func isDigit(_ i: Int) -> Bool { i < range.upperBound && values[i] >= 0x30 && values[i] <= 0x39 }
        var start = range.lowerBound
        var i = start
        while i + 2 < range.upperBound {
            if isDigit(i) && isDigit(i + 1) && isDigit(i + 2) {
                if start < i { piece(start..<i) }
                piece(i..<i + 3)
                i += 3
                start = i
            } else {
                i += 1
            }
        }
        if start < range.upperBound { piece(start..<range.upperBound) }
    }

    /// Length of the contraction ('s 't 're 've 'm 'll 'd) at `i`, or 0.
    private func contraction(at i: Int, _ range: Range<Int>, anyCase: Bool) -> Int {
        guard value(i, range) == 0x27 else { return 0 }  // '
        func letter(_ k: Int) -> UInt32 {
            let v = value(k, range)
            return anyCase && v >= 0x41 && v <= 0x5A ? v | 0x20 : v
        }
        switch letter(i + 1) {
        case 0x73, 0x74, 0x6D, 0x64: return 2  // s t m d
        case 0x72, 0x76: return letter(i + 2) == 0x65 ? 3 : 0  // re ve
        case 0x6C: return letter(i + 2) == 0x6C ? 3 : 0  // ll
        default: return 0
        }
    }

    /// GPT-2's pattern over `range`.
    func gpt2(_ range: Range<Int>, _ word: (Range<Int>) -> Void) {
        var pos = range.lowerBound
        while pos < range.upperBound {
            let start = pos
            let contraction = contraction(at: pos, range, anyCase: false)
            if contraction > 0 {
                pos += contraction
                word(start..<pos)
                continue
            }
            // ` ?\p{L}+`, ` ?\p{N}+`, ` ?[^\s\p{L}\p{N}]+`: an optional space, then a run of one class.
            let first = values[pos] == 0x20 ? pos + 1 : pos
            let firstClass = classAt(first, range)
            if firstClass & (CharClass.letter | CharClass.number) != 0 {
                let runClass = firstClass & (CharClass.letter | CharClass.number)
                pos = first + 1
                while classAt(pos, range) & runClass != 0 { pos += 1 }
                word(start..<pos)
                continue
            }
            if isOther(first, range) {
                pos = first + 1
                while isOther(pos, range) { pos += 1 }
                word(start..<pos)
                continue
            }
            // `\s+(?!\S)`: a run of spaces that is not at the end of the piece leaves its last one to the next word.
            pos = whitespaceRunEnd(from: pos, range)
            if pos - start > 1 && pos < range.upperBound { pos -= 1 }
            if pos == start { pos += 1 }  // unreachable: every scalar has a class
            word(start..<pos)
        }
    }

    private func whitespaceRunEnd(from i: Int, _ range: Range<Int>) -> Int {
        var end = i
        while classAt(end, range) & CharClass.whitespace != 0 { end += 1 }
        return end
    }

    /// Llama 3's pattern over `range`.
    func llama3(_ range: Range<Int>, _ word: (Range<Int>) -> Void) {
        func isLineBreak(_ i: Int) -> Bool { value(i, range) == 0x0D || value(i, range) == 0x0A }
        var pos = range.lowerBound
        while pos < range.upperBound {
            let start = pos
            let contraction = contraction(at: pos, range, anyCase: true)
            if contraction > 0 {
                pos += contraction
                word(start..<pos)
                continue
            }
            let here = classes[pos]
            // `[^\r\n\p{L}\p{N}]?\p{L}+`
            if !isLineBreak(pos) && here & CharClass.number == 0
                && (here & CharClass.letter != 0 || classAt(pos + 1, range) & CharClass.letter != 0)
            {
                pos += 1
                while classAt(pos, range) & CharClass.letter != 0 { pos += 1 }
                word(start..<pos)
                continue
            }
            // `\p{N}{1,3}`
            if here & CharClass.number != 0 {
                while classAt(pos, range) & CharClass.number != 0 && pos - start < 3 { pos += 1 }
                word(start..<pos)
                continue
            }
            // ` ?[^\s\p{L}\p{N}]+[\r\n]*`
            let first = values[pos] == 0x20 ? pos + 1 : pos
            if isOther(first, range) {
                pos = first + 1
                while isOther(pos, range) { pos += 1 }
                while isLineBreak(pos) { pos += 1 }
                word(start..<pos)
                continue
            }
            // `\s*[\r\n]+`: spaces up to and including the run's last line break.
            let end = whitespaceRunEnd(from: pos, range)
            if let lastBreak = (start..<end).last(where: isLineBreak) {
                pos = lastBreak + 1
            } else {
                // `\s+(?!\S)|\s+`, as in GPT-2's pattern.
                pos = end
                if pos - start > 1 && pos < range.upperBound { pos -= 1 }
                if pos == start { pos += 1 }
            }
            word(start..<pos)
        }
    }
}
