/// German numbers 0–100 written as one word ("einundzwanzig", "fünfzig", "hundert"), so a German device command
/// gets its value grounded too. Looked up on the folded word, so "fünf", "funf" and "fuenf" all read 5. "ein" and
/// "eine" are left alone: they are far more often the article.
enum NumberWordsGerman {
    static let units: [String: Int] = [
        "null": 0, "eins": 1, "zwei": 2, "drei": 3, "vier": 4, "funf": 5, "fuenf": 5, "sechs": 6, "sieben": 7,
        "acht": 8, "neun": 9,
    ]

    static let others: [String: Int] = [
        "zehn": 10, "elf": 11, "zwolf": 12, "zwoelf": 12, "dreizehn": 13, "vierzehn": 14, "funfzehn": 15,
        "fuenfzehn": 15, "sechzehn": 16, "siebzehn": 17, "achtzehn": 18, "neunzehn": 19, "zwanzig": 20,
        "dreissig": 30, "vierzig": 40, "funfzig": 50, "fuenfzig": 50, "sechzig": 60, "siebzig": 70, "achtzig": 80,
        "neunzig": 90, "hundert": 100, "einhundert": 100,
    ]

    static let words = units.merging(others) { first, _ in first }

    static let tens: Set<Int> = [20, 30, 40, 50, 60, 70, 80, 90]

    static func value(of word: String) -> Int? {
        let folded = Diacritics.fold(word)
        if let value = words[folded] { return value }
        // "einundzwanzig": a unit, "und", a multiple of ten.
        guard folded.utf8.count > 10 else { return nil }
        for (unitWord, unit) in compoundUnits where folded.hasPrefix(unitWord) {
            if let ten = others[String(folded.dropFirst(unitWord.count))], tens.contains(ten) { return ten + unit }
        }
        return nil
    }

    static let compoundUnits: [(String, Int)] = [
        ("einund", 1), ("zweiund", 2), ("dreiund", 3), ("vierund", 4), ("funfund", 5), ("fuenfund", 5),
        ("sechsund", 6), ("siebenund", 7), ("achtund", 8), ("neunund", 9),
    ]
}
