/// Removes diacritics for matching ("café" → "cafe", "Küche" → "kuche", "ß" → "ss"). The standard library has no
/// Unicode decomposition, so combining marks are dropped and a precomposed Latin letter is reduced to the base
/// letter its Unicode name gives ("LATIN SMALL LETTER E WITH ACUTE" → "e").
enum Diacritics {
    static func fold(_ text: String) -> String {
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return text }
        var folded = ""
        for scalar in text.unicodeScalars {
            if scalar.value < 0x80 {
                folded.unicodeScalars.append(scalar)
                continue
            }
            switch scalar.properties.generalCategory {
            case .nonspacingMark, .spacingMark, .enclosingMark: continue
            default: break
            }
            folded += base(of: scalar)
        }
        return folded
    }

    static let special: [Unicode.Scalar: String] = [
        "ß": "ss", "æ": "ae", "œ": "oe", "þ": "th", "ð": "d", "ı": "i", "ĳ": "ij",
    ]

    static func base(of scalar: Unicode.Scalar) -> String {
        if let replacement = special[scalar] { return replacement }
        guard let name = scalar.properties.name else { return String(scalar) }
        let prefix = "LATIN SMALL LETTER "
        guard name.hasPrefix(prefix) else { return String(scalar) }
        let rest = name.dropFirst(prefix.count)
        guard let first = rest.first, first.isASCII, first.isLetter,
            rest.count == 1 || rest.dropFirst().hasPrefix(" WITH ")
        else { return String(scalar) }
        return first.lowercased()
    }
}
