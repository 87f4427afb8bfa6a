/// Splits raw text into words, numbers and unit symbols, one pass over the Unicode scalars. Quotes, apostrophes and
/// dashes of every flavour are folded to ASCII here, letters are lowercased, and punctuation is dropped except inside
/// numbers ("21.5", "21,5", "1,000").
struct NormalizerScanner {
    enum ScalarClass: Equatable {
        case letter, digit, mark, apostrophe, hyphen, dot, comma, percent, degree, plus, question, separator
    }

    struct Scalar {
        var cls: ScalarClass
        var scalar: Unicode.Scalar
        var index: String.Index
    }

    struct Scanned {
        var tokens: [NormalizerToken]
        var isQuestion: Bool
    }

    /// Longer digit runs are kept as words: Double would lose them and no device takes such a value.
    static let maximumDigits = 15

    let scalars: [Scalar]
    let end: String.Index

    init(_ text: String) {
        var scalars: [Scalar] = []
        scalars.reserveCapacity(text.utf8.count)
        let view = text.unicodeScalars
        var i = view.startIndex
        while i < view.endIndex {
            let (cls, canonical) = Self.classify(view[i])
            scalars.append(Scalar(cls: cls, scalar: canonical, index: i))
            view.formIndex(after: &i)
        }
        self.scalars = scalars
        self.end = text.endIndex
    }

    static func classify(_ s: Unicode.Scalar) -> (ScalarClass, Unicode.Scalar) {
        switch s.value {
        case 0x61...0x7A: return (.letter, s)
        case 0x41...0x5A: return (.letter, Unicode.Scalar(s.value + 32)!)
        case 0x30...0x39: return (.digit, s)
        case 0x27, 0x60, 0xB4, 0x2018, 0x2019, 0x201B, 0x2032, 0x02BC: return (.apostrophe, "'")
        case 0x2D, 0x2010...0x2015, 0x2212, 0xFE63, 0xFF0D: return (.hyphen, "-")
        case 0x2E: return (.dot, s)
        case 0x2C: return (.comma, s)
        case 0x25, 0x066A, 0xFF05: return (.percent, "%")
        // ° º ˚ ℃ ℉: º and ˚ are what keyboards without a degree sign produce.
        case 0xB0, 0xBA, 0x2DA: return (.degree, "°")
        case 0x2103, 0x2109: return (.degree, s)
        case 0x2B: return (.plus, s)
        case 0x3F, 0xFF1F: return (.question, "?")
        case 0..<0x80: return (.separator, s)
        case 0x200D, 0xFE00...0xFE0F: return (.mark, s)  // joiners and variation selectors
        default:
            let properties = s.properties
            if properties.numericType == .decimal, let v = properties.numericValue, v >= 0, v <= 9 {
                return (.digit, Unicode.Scalar(0x30 + UInt32(v))!)
            }
            switch properties.generalCategory {
            case .nonspacingMark, .spacingMark, .enclosingMark: return (.mark, s)
            default: break
            }
            return (properties.isAlphabetic ? .letter : .separator, s)
        }
    }

    func scan() -> Scanned {
        var out = Scanned(tokens: [], isQuestion: false)
        var p = 0
        while p < scalars.count {
            switch scalars[p].cls {
            case .letter: p = scanWord(from: p, into: &out)
            case .digit: p = scanNumber(from: p, into: &out)
            case .percent:
                emit("%", p..<p + 1, .unit, into: &out)
                p += 1
            case .degree:
                let text = scalars[p].scalar == "\u{2103}" ? "°c" : scalars[p].scalar == "\u{2109}" ? "°f" : "°"
                emit(text, p..<p + 1, .unit, into: &out)
                p += 1
            case .question:
                out.isQuestion = true
                p += 1
            default: p += 1
            }
        }
        return out
    }

    private func index(_ p: Int) -> String.Index { p < scalars.count ? scalars[p].index : end }

    private func cls(_ p: Int) -> ScalarClass? { p >= 0 && p < scalars.count ? scalars[p].cls : nil }

    private func emit(
        _ text: String, _ span: Range<Int>, _ kind: NormalizedText.Token.Kind, value: Double? = nil,
        sign: NormalizedText.Quantity.Sign = .none, into out: inout Scanned
    ) {
        let range = index(span.lowerBound)..<index(span.upperBound)
        out.tokens.append(NormalizerToken(text: text, range: range, kind: kind, value: value, sign: sign))
        out.isQuestion = false
    }

    /// Lowercased text of a span; joiners and variation selectors dropped, other marks kept.
    private func text(_ span: Range<Int>) -> String {
        var text = ""
        for p in span {
            let s = scalars[p]
            if s.cls == .mark, s.scalar.value == 0x200D || (0xFE00...0xFE0F).contains(s.scalar.value) { continue }
            if s.cls == .letter, s.scalar.value >= 0x80 {
                text += s.scalar.properties.lowercaseMapping
            } else {
                text.unicodeScalars.append(s.scalar)
            }
        }
        return text
    }

    /// Letters, digits and marks, with an apostrophe or hyphen kept between two letters ("it's", "twenty-five").
    private func scanWord(from start: Int, into out: inout Scanned) -> Int {
        let q = wordEnd(from: start)
        emit(text(start..<q), start..<q, .word, into: &out)
        return q
    }

    private func wordEnd(from start: Int) -> Int {
        var q = start
        while let c = cls(q) {
            switch c {
            case .letter, .digit, .mark: q += 1
            case .apostrophe, .hyphen:
                guard cls(q + 1) == .letter, cls(q - 1) == .letter || cls(q - 1) == .mark else { return q }
                q += 1
            default: return q
            }
        }
        return q
    }

    private func digitsEnd(from start: Int) -> Int {
        var q = start
        while cls(q) == .digit { q += 1 }
        return q
    }

    /// A number: digits, then a decimal point, a decimal comma ("21,5": one or two digits after it, no further
    /// comma group) or thousands groups ("2,700"). Attached unit letters ("2700K", "70F", "30pct") are split off;
    /// other letters make the whole run a word ("3d", "4k").
    private func scanNumber(from start: Int, into out: inout Scanned) -> Int {
        var digits = ""
        var hasFraction = false
        var q = digitsEnd(from: start)
        for p in start..<q { digits.unicodeScalars.append(scalars[p].scalar) }
        // After "1," in "1,2,3" a comma is a list separator, not a decimal comma.
        let inList = cls(start - 1) == .comma && cls(start - 2) == .digit
        if cls(q) == .comma, cls(q + 1) == .digit, !inList {
            let groupEnd = digitsEnd(from: q + 1)
            let groupLength = groupEnd - (q + 1)
            if groupLength == 3, q - start <= 3 {
                while cls(q) == .comma, cls(q + 1) == .digit, digitsEnd(from: q + 1) - (q + 1) == 3 {
                    for p in q + 1..<q + 4 { digits.unicodeScalars.append(scalars[p].scalar) }
                    q += 4
                }
            } else if groupLength <= 2, !(cls(groupEnd) == .comma && cls(groupEnd + 1) == .digit) {
                digits += "."
                hasFraction = true
                for p in q + 1..<groupEnd { digits.unicodeScalars.append(scalars[p].scalar) }
                q = groupEnd
            }
        }
        // "10.5.2024" is a date, not 10.5 and 2024.
        let dotted = cls(start - 1) == .dot && cls(start - 2) == .digit
        if cls(q) == .dot, cls(q + 1) == .digit, !hasFraction, !dotted,
            !(cls(digitsEnd(from: q + 1)) == .dot && cls(digitsEnd(from: q + 1) + 1) == .digit)
        {
            let fractionEnd = digitsEnd(from: q + 1)
            digits += "."
            for p in q + 1..<fractionEnd { digits.unicodeScalars.append(scalars[p].scalar) }
            q = fractionEnd
        }

        var sign = NormalizedText.Quantity.Sign.none
        var first = start
        if cls(start - 1) == .plus || cls(start - 1) == .hyphen, (cls(start - 2) ?? .separator) == .separator {
            sign = cls(start - 1) == .plus ? .plus : .minus
            first = start - 1
        }
        let value = digits.utf8.count <= Self.maximumDigits ? Double(digits) : nil

        if cls(q) == .letter {
            let wordEnd = wordEnd(from: q)
            let suffix = text(q..<wordEnd)
            if let value, Self.isUnitSuffix(suffix, after: value) {
                emitNumber(digits, value, sign, first..<q, into: &out)
                emit(suffix, q..<wordEnd, .word, into: &out)
            } else {
                emit(text(start..<wordEnd), start..<wordEnd, .word, into: &out)
            }
            return wordEnd
        }
        if let value {
            emitNumber(digits, value, sign, first..<q, into: &out)
        } else {
            emit(digits, start..<q, .word, into: &out)
        }
        return q
    }

    private func emitNumber(
        _ digits: String, _ value: Double, _ sign: NormalizedText.Quantity.Sign, _ span: Range<Int>,
        into out: inout Scanned
    ) {
        let signed = sign == .minus ? -value : value
        emit(NumberWords.format(signed, sign: sign), span, .number, value: signed, sign: sign, into: &out)
    }

    /// "k" only for colour temperatures, so "4k" stays a word.
    static func isUnitSuffix(_ suffix: String, after value: Double) -> Bool {
        switch suffix {
        case "c", "f", "pct", "percent", "degrees", "deg", "kelvin": return true
        case "k": return value >= 1000
        default: return false
        }
    }
}
