/// English numbers written as words: "zero" … "nine hundred ninety-nine thousand …", "a hundred", "twenty one point
/// five", and the fractions people use for levels: "half" (50 %), "a quarter" (25 %), "three quarters" (75 %).
enum NumberWords {
    enum Part: Equatable {
        case unit(Int)  // 0–9
        case teen(Int)  // 10–19
        case tens(Int)  // 20, 30, … 90
        case hundred, thousand
    }

    static let parts: [String: Part] = {
        var parts: [String: Part] = [:]
        let units = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
        for (value, word) in units.enumerated() { parts[word] = .unit(value) }
        let teens = [
            "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
            "nineteen",
        ]
        for (offset, word) in teens.enumerated() { parts[word] = .teen(10 + offset) }
        let tens = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
        for (offset, word) in tens.enumerated() { parts[word] = .tens(20 + 10 * offset) }
        parts["fourty"] = .tens(40)  // the usual misspelling
        parts["hundred"] = .hundred
        parts["thousand"] = .thousand
        return parts
    }()

    static func isNumberWord(_ word: String) -> Bool {
        parts[word] != nil || word == "half" || word == "halfway" || word == "quarter" || word == "quarters"
            || NumberWordsGerman.value(of: word) != nil
    }

    /// "twenty-five" → ["twenty", "five"]; nil unless every part is a number word.
    static func splitHyphenated(_ word: String) -> [String]? {
        guard word.utf8.contains(UInt8(ascii: "-")) else { return nil }
        let pieces = word.split(separator: "-").map(String.init)
        return pieces.allSatisfy { parts[$0] != nil } ? pieces : nil
    }

    struct Match {
        var value: Double
        /// Words consumed.
        var count: Int
        /// A fraction of a whole ("half"), read as a percentage.
        var isPercent: Bool
    }

    /// The number spelled by the words starting at `start`, or nil when they do not start one.
    static func match(_ words: [String], at start: Int) -> Match? {
        if let fraction = matchFraction(words, at: start) { return fraction }
        if parts[words[start]] == nil, let german = NumberWordsGerman.value(of: words[start]) {
            return Match(value: Double(german), count: 1, isPercent: false)
        }
        var i = start
        let hasA = words[i] == "a" && i + 1 < words.count && (words[i + 1] == "hundred" || words[i + 1] == "thousand")
        if hasA { i += 1 }
        var total = 0  // thousands
        var group = 0  // below one thousand
        var last: Part? = nil
        var end = start  // one past the last word that completed a number
        loop: while i < words.count {
            if words[i] == "and", last == .hundred || last == .thousand, i + 1 < words.count,
                let next = parts[words[i + 1]], next != .hundred, next != .thousand, next != .unit(0)
            {
                i += 1
                continue
            }
            guard let part = parts[words[i]] else { break }
            switch (last, part) {
            case (nil, .unit(let v)), (nil, .teen(let v)), (nil, .tens(let v)):
                if hasA { break loop }
                group = v
            case (nil, .hundred):
                guard hasA else { break loop }
                group = 100
            case (nil, .thousand):
                guard hasA else { break loop }
                total = 1000
            case (.tens?, .unit(let v)) where v > 0:
                group += v
            case (.hundred?, .unit(let v)) where v > 0:
                group += v
            case (.thousand?, .unit(let v)) where v > 0:
                group += v
            case (.hundred?, .teen(let v)), (.hundred?, .tens(let v)), (.thousand?, .teen(let v)),
                (.thousand?, .tens(let v)):
                group += v
            case (.unit(let v)?, .hundred) where v > 0:
                group *= 100
            case (.teen?, .hundred):
                group *= 100
            case (.unit(let v)?, .thousand) where v > 0 && total == 0:
                total = group * 1000
                group = 0
            case (.teen?, .thousand) where total == 0, (.tens?, .thousand) where total == 0,
                (.hundred?, .thousand) where total == 0:
                total = group * 1000
                group = 0
            default:
                break loop
            }
            last = part
            i += 1
            end = i
        }
        guard last != nil else { return nil }
        var value = Double(total + group)
        // "twenty one point five": single digits after "point".
        if end < words.count, words[end] == "point" {
            var scale = 0.1
            var j = end + 1
            while j < words.count, case .unit(let digit)? = parts[words[j]] {
                value += Double(digit) * scale
                scale /= 10
                j += 1
            }
            if j > end + 1 { end = j }
        }
        // "nineteen and a half".
        if end + 2 < words.count, words[end] == "and", words[end + 1] == "a", words[end + 2] == "half" {
            value += 0.5
            end += 3
        }
        return Match(value: value, count: end - start, isPercent: false)
    }

    private static func matchFraction(_ words: [String], at start: Int) -> Match? {
        let word = words[start]
        let next = start + 1 < words.count ? words[start + 1] : nil
        let after = start + 2 < words.count ? words[start + 2] : nil
        // "half a degree" is a step of 0.5; "halfway" and "half way" are half of the travel.
        if word == "half", next == "a", after == "degree" { return Match(value: 0.5, count: 2, isPercent: false) }
        if word == "half" && next == "way" { return Match(value: 50, count: 2, isPercent: true) }
        if word == "half" || word == "halfway" { return Match(value: 50, count: 1, isPercent: true) }
        if word == "quarter" { return Match(value: 25, count: 1, isPercent: true) }
        // "full brightness", "maximum brightness": all of it.
        if ["full", "max", "maximum"].contains(word), next == "brightness" {
            return Match(value: 100, count: 1, isPercent: true)
        }
        let count: Int
        switch word {
        case "a", "one": count = 1
        case "two": count = 2
        case "three": count = 3
        default: return nil
        }
        if next == "half", count == 1 { return Match(value: 50, count: 2, isPercent: true) }
        if next == "quarter" && count == 1 || next == "quarters" && count > 1 {
            return Match(value: Double(25 * count), count: 2, isPercent: true)
        }
        return nil
    }

    /// "30", "21.5", "+10", "-5": integers without a fraction, at most six decimals.
    static func format(_ value: Double, sign: NormalizedText.Quantity.Sign) -> String {
        let prefix = sign == .plus ? "+" : ""
        if value == value.rounded(), abs(value) < 1e15 { return prefix + String(Int(value)) }
        let rounded = (value * 1_000_000).rounded() / 1_000_000
        return prefix + String(rounded)
    }
}
