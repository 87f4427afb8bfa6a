#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The colour names an action may use, with the sRGB value sent as zigbee2mqtt's `{"color":{"hex":…}}`.
/// A subset of CSS's named colours that people say to lamps, plus the whites.
public enum NamedColor {
    public static let table: [(name: String, hex: String)] = [
        ("red", "#FF0000"), ("orange", "#FFA500"), ("yellow", "#FFFF00"), ("green", "#008000"),
        ("lime", "#00FF00"), ("cyan", "#00FFFF"), ("turquoise", "#40E0D0"), ("blue", "#0000FF"),
        ("purple", "#800080"), ("violet", "#EE82EE"), ("magenta", "#FF00FF"), ("pink", "#FFC0CB"),
        ("white", "#FFFFFF"), ("warm white", "#FFD8A8"), ("cool white", "#E8F0FF"), ("gold", "#FFD700"),
        ("crimson", "#DC143C"), ("teal", "#008080"), ("lavender", "#E6E6FA"), ("indigo", "#4B0082"),
    ]

    public static var names: [String] { table.map(\.name) }

    /// `#RRGGBB` (upper-case) for a known name or a hex colour, else nil.
    public static func hex(_ color: String) -> String? {
        let text = color.lowercased().trimmedWhitespace
        if let entry = table.first(where: { $0.name == text }) { return entry.hex }
        let digits = text.hasPrefix("#") ? text.dropFirst() : Substring(text)
        guard text.hasPrefix("#"), digits.count == 6, digits.allSatisfy(\.isHexDigit) else { return nil }
        return "#" + digits.uppercased()
    }
}
