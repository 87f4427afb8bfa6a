/// Numbers and their units: number words become digits, and a unit after a number ("%", "per cent", "° C",
/// "degrees fahrenheit", "2700K") becomes one canonical unit token, recorded with the number as a quantity.
enum NormalizerQuantities {
    /// "twenty five" → "25", "a hundred" → "100", "half" → "50" (marked as a percentage).
    static func readNumberWords(_ tokens: [NormalizerToken]) -> [NormalizerToken] {
        let words = tokens.map { $0.kind == .word && !$0.isFiller ? $0.text : "" }
        var out: [NormalizerToken] = []
        out.reserveCapacity(tokens.count)
        var i = 0
        while i < tokens.count {
            guard !words[i].isEmpty, let match = NumberWords.match(words, at: i) else {
                out.append(tokens[i])
                i += 1
                continue
            }
            let range = tokens[i].range.lowerBound..<tokens[i + match.count - 1].range.upperBound
            var number = NormalizerToken(
                text: NumberWords.format(match.value, sign: .none), range: range, kind: .number, value: match.value)
            number.impliesPercent = match.isPercent
            out.append(number)
            i += match.count
        }
        return out
    }

    static let signWords: [String: NormalizedText.Quantity.Sign] = ["minus": .minus, "negative": .minus, "plus": .plus]

    static func symbol(_ unit: NormalizedText.Quantity.Unit) -> String {
        switch unit {
        case .number: ""
        case .percent: "%"
        case .celsius: "°c"
        case .fahrenheit: "°f"
        case .degrees: "°"
        case .kelvin: "k"
        }
    }

    static func attachUnits(_ tokens: [NormalizerToken]) -> ([NormalizerToken], [NormalizedText.Quantity]) {
        var out: [NormalizerToken] = []
        out.reserveCapacity(tokens.count)
        var quantities: [NormalizedText.Quantity] = []
        var i = 0
        while i < tokens.count {
            var number = tokens[i]
            i += 1
            guard number.kind == .number, var value = number.value else {
                out.append(number)
                continue
            }
            if number.sign == .none, let previous = out.last, previous.kind == .word, !previous.isFiller,
                let sign = signWords[previous.text]
            {
                out.removeLast()
                number.range = previous.range.lowerBound..<number.range.upperBound
                number.sign = sign
                if sign == .minus { value = -value }
                number.text = NumberWords.format(value, sign: sign)
                number.value = value
            }
            let first = out.count
            out.append(number)
            var unit = NormalizedText.Quantity.Unit.number
            var end = number.range.upperBound
            if number.impliesPercent {
                unit = .percent
                out.append(NormalizerToken(text: "%", range: number.range, kind: .unit))
            } else if let (found, count) = unitWritten(in: tokens, at: i, after: number) {
                unit = found
                let range = tokens[i].range.lowerBound..<tokens[i + count - 1].range.upperBound
                out.append(NormalizerToken(text: symbol(found), range: range, kind: .unit))
                end = range.upperBound
                i += count
            }
            quantities.append(
                NormalizedText.Quantity(
                    value: value, unit: unit, sign: number.sign, range: number.range.lowerBound..<end,
                    tokens: first..<out.count))
        }
        return (out, quantities)
    }

    /// The unit written at `j` after `number`, and how many tokens spell it.
    static func unitWritten(in tokens: [NormalizerToken], at j: Int, after number: NormalizerToken) -> (
        NormalizedText.Quantity.Unit, Int
    )? {
        guard j < tokens.count, !tokens[j].isFiller, tokens[j].kind != .number else { return nil }
        let next = j + 1 < tokens.count && !tokens[j + 1].isFiller ? tokens[j + 1].text : nil
        // "21c" and "70F" only when attached: a lone "c" after a number is too often something else.
        let attached = tokens[j].range.lowerBound == number.range.upperBound
        switch tokens[j].text {
        case "%", "percent", "pct", "percentage", "prozent": return (.percent, 1)
        case "per" where next == "cent": return (.percent, 2)
        case "°c": return (.celsius, 1)
        case "°f": return (.fahrenheit, 1)
        case "°", "degree", "degrees", "deg", "degs", "grad":
            switch next {
            case "c", "celsius", "centigrade": return (.celsius, 2)
            case "f", "fahrenheit": return (.fahrenheit, 2)
            default: return (.degrees, 1)
            }
        case "celsius", "centigrade": return (.celsius, 1)
        case "fahrenheit": return (.fahrenheit, 1)
        case "c" where attached: return (.celsius, 1)
        case "f" where attached: return (.fahrenheit, 1)
        case "kelvin": return (.kelvin, 1)
        case "k" where abs(number.value ?? 0) >= 1000: return (.kelvin, 1)
        default: return nil
        }
    }
}
